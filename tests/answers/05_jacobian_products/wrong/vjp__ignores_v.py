# Backpropagates from f(x).sum(), which is the product with a vector of ones, not with v. [hint: v was ignored]
def vjp(f, x, v):
    x = x.detach().clone().requires_grad_(True)
    f(x).sum().backward()
    return x.grad
