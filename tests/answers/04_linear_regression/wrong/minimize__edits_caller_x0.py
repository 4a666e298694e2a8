# Switches tracking on for the caller's x0 and updates it in place instead of a copy. [hint: work on a copy]
def minimize(f, x0, lr, steps):
    x0.requires_grad_(True)
    for _ in range(steps):
        f(x0).backward()
        with torch.no_grad():
            x0 -= lr * x0.grad
        x0.grad = None
    return x0.detach()
