# Right: torch.autograd.functional.hvp returns (f(x), H v).
def hvp(f, x, v):
    return torch.autograd.functional.hvp(f, x.detach(), v.detach())[1]
