# Turns on requires_grad on the caller's x instead of a copy. [hint: copy]
def hvp(f, x, v):
    x.requires_grad_(True)
    (grad,) = torch.autograd.grad(f(x), x, create_graph=True)
    (hv,) = torch.autograd.grad(grad @ v.detach(), x)
    return hv
