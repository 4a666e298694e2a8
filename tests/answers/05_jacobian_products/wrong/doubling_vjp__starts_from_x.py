# Starts the loop from y = x instead of y = x * 2, which changes the count when |x| >= 500.
def doubling_vjp(x, v):
    x = x.detach().clone().requires_grad_(True)
    y = x
    while y.norm() < 1000:
        y = y * 2
    y.backward(v)
    return y.detach(), x.grad
