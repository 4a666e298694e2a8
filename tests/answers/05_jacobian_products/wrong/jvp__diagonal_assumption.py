# Multiplies the gradient of f(x).sum() by u, as if the Jacobian were diagonal. [hint: diagonal]
def jvp(f, x, u):
    x = x.detach().clone().requires_grad_(True)
    f(x).sum().backward()
    return x.grad * u
