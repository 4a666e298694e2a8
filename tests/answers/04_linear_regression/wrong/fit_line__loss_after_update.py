# Records the loss after each update instead of the one the update was computed from. [hint: before its update]
def fit_line(x, z, lr, steps):
    w = torch.tensor(0.0, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((w * x + b - z) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
            losses.append(((w * x + b - z) ** 2).mean().item())
        w.grad = None
        b.grad = None
    return w.item(), b.item(), losses
