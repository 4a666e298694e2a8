# Right: one graph of (w * x).sum(), reused n times with retain_graph=True.
def repeated_backward(w, x, n):
    if n == 0:
        return torch.zeros_like(w)
    a = (w * x).sum()
    for _ in range(n):
        a.backward(retain_graph=True)
    return w.grad
