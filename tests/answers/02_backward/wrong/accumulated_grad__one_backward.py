# Runs one backward on the whole batch, which is exactly what chunking is meant to avoid. [hint: once per chunk]
def accumulated_grad(w, X, y, chunk_size):
    w.grad = None
    ((X @ w - y) ** 2).mean().backward()
    return w.grad
