# Switches tracking on for the caller's x, which then requires grad and keeps a .grad. [hint: requires_grad_]
def doubling_vjp(x, v):
    x.requires_grad_(True)
    y = x * 2
    while y.norm() < 1000:
        y = y * 2
    y.backward(v)
    return y.detach(), x.grad
