# Copies x0 with clone() but no detach(): for an x0 that requires grad the gradient flows into x0. [hint: not a leaf]
def minimize(f, x0, lr, steps):
    x = x0.clone().requires_grad_(True)
    for _ in range(steps):
        f(x).backward()
        with torch.no_grad():
            x -= lr * x.grad
        x.grad = None
    return x.detach()
