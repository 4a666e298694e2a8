# Updates with w = w - lr * w.grad outside no_grad: w stops being a leaf and its .grad is None. [hint: not a leaf]
def fit_line(x, z, lr, steps):
    w = torch.tensor(0.0, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((w * x + b - z) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        w = w - lr * w.grad
        b = b - lr * b.grad
    return float(w), float(b), losses
