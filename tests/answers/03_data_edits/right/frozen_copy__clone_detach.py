# Right: clone() first, then detach() (the order PyTorch's own warning suggests).
def frozen_copy(t):
    return t.clone().detach()
