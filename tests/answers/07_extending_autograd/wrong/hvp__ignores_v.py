# Differentiates the sum of the gradient: H times ones, v ignored. [hint: v was ignored]
def hvp(f, x, v):
    x = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(x), x, create_graph=True)
    return torch.autograd.grad(grad.sum(), x)[0]
