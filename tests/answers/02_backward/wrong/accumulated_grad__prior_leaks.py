# Forgets that w may already hold a gradient, which is then added to the result. [hint: leaked]
def accumulated_grad(w, X, y, chunk_size):
    for s in range(0, len(X), chunk_size):
        Xc, yc = X[s : s + chunk_size], y[s : s + chunk_size]
        (((Xc @ w - yc) ** 2).sum() / len(X)).backward()
    return w.grad
