# Right: a vector-Jacobian product of the gradient with v (H is symmetric).
def hvp(f, x, v):
    x = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(x), x, create_graph=True)
    return torch.autograd.grad(grad, x, grad_outputs=v.detach())[0]
