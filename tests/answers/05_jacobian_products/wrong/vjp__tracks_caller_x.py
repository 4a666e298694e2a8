# Switches tracking on for the caller's x, which then requires grad and keeps a .grad. [hint: requires_grad_]
def vjp(f, x, v):
    x.requires_grad_(True)
    f(x).backward(v)
    return x.grad
