# Right: torch.autograd.grad on the one retained graph (nothing to clear), x ** 2, x.data = ...
def descend_with_data(x0, lr, steps):
    x = torch.tensor([float(x0)], requires_grad=True)
    f = (x**2 - 4 * x).sum()
    for _ in range(steps):
        (g,) = torch.autograd.grad(f, x, retain_graph=True)
        x.data = x.data - lr * g
    return x.item()
