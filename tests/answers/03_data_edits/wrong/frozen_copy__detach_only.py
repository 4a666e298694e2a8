# Believes detach() copies: it returns a view that shares memory with t. [hint: views]
def frozen_copy(t):
    return t.detach()
