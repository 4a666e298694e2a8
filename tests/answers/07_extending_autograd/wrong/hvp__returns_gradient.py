# Returns the gradient of f and never uses v. [hint: gradient of f]
def hvp(f, x, v):
    x = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(x), x)
    return grad
