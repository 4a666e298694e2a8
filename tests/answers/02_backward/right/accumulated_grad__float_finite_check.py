# Right: checks each chunk's loss with float(loss) before backward, which warns. [warns: item()]
import math


def accumulated_grad(w, X, y, chunk_size):
    w.grad = None
    for start in range(0, len(y), chunk_size):
        rows = slice(start, start + chunk_size)
        loss = ((X[rows] @ w - y[rows]) ** 2).sum() / len(y)
        if not math.isfinite(float(loss)):
            raise ValueError("the loss is not finite")
        loss.backward()
    return w.grad
