# Builds the graph once, as in the old tutorial, so every step reuses the slope at x0. [hint: slope at x0]
def minimize(f, x0, lr, steps):
    x = x0.detach().clone().requires_grad_(True)
    y = f(x)
    for _ in range(steps):
        y.backward(retain_graph=True)
        with torch.no_grad():
            x -= lr * x.grad
        x.grad = None
    return x.detach()
