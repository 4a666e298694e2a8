# Starts the loop from y = x instead of y = x * 2, which skips the first doubling when |x| >= 1000. [hint: at least one doubling]
def doubling_vjp(x, v):
    x = x.detach().clone().requires_grad_(True)
    y = x
    while y.norm() < 1000:
        y = y * 2
    y.backward(v)
    return y.detach(), x.grad
