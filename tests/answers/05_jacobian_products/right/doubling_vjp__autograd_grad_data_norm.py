# Right: the tutorial's y.data.norm() test, and torch.autograd.grad instead of backward.
def doubling_vjp(x, v):
    leaf = x.clone().requires_grad_()
    y = leaf * 2
    while y.data.norm() < 1000:
        y = y * 2
    (g,) = torch.autograd.grad(y, leaf, v)
    return y.detach(), g
