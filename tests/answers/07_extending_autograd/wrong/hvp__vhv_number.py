# Returns the number v . H v instead of the vector H v. [hint: the number]
def hvp(f, x, v):
    x = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(x), x, create_graph=True)
    (hv,) = torch.autograd.grad(grad @ v, x)
    return v @ hv
