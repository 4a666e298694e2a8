# Switches tracking off on the caller's tensor, which fails for a non-leaf and changes a leaf. [hint: requires_grad_]
def to_numpy(t):
    return t.requires_grad_(False).numpy()
