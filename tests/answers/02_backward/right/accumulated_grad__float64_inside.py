# Right: computes each chunk's loss in float64; the gradient still lands in w.grad.
def accumulated_grad(w, X, y, chunk_size):
    w.grad = None
    n, start = X.shape[0], 0
    while start < n:
        stop = min(start + chunk_size, n)
        err = X[start:stop].double() @ w.double() - y[start:stop].double()
        (err.pow(2).sum() / n).backward()
        start = stop
    return w.grad
