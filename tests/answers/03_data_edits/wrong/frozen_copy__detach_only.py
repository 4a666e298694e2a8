# Believes detach() copies: it returns a view that shares memory with t.
def frozen_copy(t):
    return t.detach()
