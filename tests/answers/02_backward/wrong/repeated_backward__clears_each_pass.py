# Clears w.grad before every pass out of habit, so only the last pass counts. [hint: cleared between the passes]
def repeated_backward(w, x, n):
    if n == 0:
        return torch.zeros_like(w)
    for _ in range(n):
        w.grad = None
        torch.dot(w, x).backward()
    return w.grad
