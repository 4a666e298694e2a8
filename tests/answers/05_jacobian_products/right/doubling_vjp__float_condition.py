# Right: tests float(y.norm()) < 1000, float() of a tensor that requires grad. [warns: item()]
def doubling_vjp(x, v):
    x = x.detach().clone().requires_grad_(True)
    y = x * 2
    while float(y.norm()) < 1000:
        y = y * 2
    y.backward(v)
    return y.detach(), x.grad
