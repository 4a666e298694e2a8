# Right: torch.autograd.grad instead of backward, on a float64 copy.
def blitz_grad(x):
    leaf = x.detach().to(torch.float64).clone().requires_grad_(True)
    out = (3 * (leaf + 2) ** 2).mean()
    (g,) = torch.autograd.grad(out, leaf)
    return g.to(x.dtype)
