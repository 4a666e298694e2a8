# Keeps doubling while the norm is at most 1000 (<=), one doubling too many at exactly 1000. [hint: once more]
def doubling_vjp(x, v):
    x = x.detach().clone().requires_grad_(True)
    y = x * 2
    while y.norm() <= 1000:
        y = y * 2
    y.backward(v)
    return y.detach(), x.grad
