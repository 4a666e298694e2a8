# Adds the gradient instead of subtracting it, so the steps climb uphill. [hint: uphill]
def minimize(f, x0, lr, steps):
    x = x0.detach().clone().requires_grad_(True)
    for _ in range(steps):
        f(x).backward()
        with torch.no_grad():
            x += lr * x.grad
        x.grad = None
    return x.detach()
