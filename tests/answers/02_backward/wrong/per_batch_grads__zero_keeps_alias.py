# Clears with w.grad.zero_() and keeps w.grad itself: every entry is the same tensor. [hint: same tensor]
def per_batch_grads(w, batches):
    grads = []
    for X, y in batches:
        if w.grad is not None:
            w.grad.zero_()
        ((X @ w - y) ** 2).mean().backward()
        grads.append(w.grad)
    w.grad = None
    return grads
