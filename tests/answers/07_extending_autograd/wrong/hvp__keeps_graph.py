# Differentiates the second time with create_graph=True too, so the result requires grad. [hint: still requires grad]
def hvp(f, x, v):
    x = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(x), x, create_graph=True)
    (hv,) = torch.autograd.grad(grad @ v.detach(), x, create_graph=True)
    return hv
