# Right: torch.autograd.grad and a new leaf in every step instead of an in-place update.
def minimize(f, x0, lr, steps):
    x = x0.detach().clone()
    for _ in range(steps):
        x.requires_grad_(True)
        (g,) = torch.autograd.grad(f(x), x)
        x = (x - lr * g).detach()
    return x
