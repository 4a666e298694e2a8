# Clones and then switches tracking off, which fails: the clone of a tracked tensor is no leaf. [hint: leaf variables]
def frozen_copy(t):
    return t.clone().requires_grad_(False)
