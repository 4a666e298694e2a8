# Backpropagates from y.sum() (a vector of ones) instead of v. [hint: v was ignored]
def doubling_vjp(x, v):
    x = x.detach().clone().requires_grad_(True)
    y = x * 2
    while y.norm() < 1000:
        y = y * 2
    y.sum().backward()
    return y.detach(), x.grad
