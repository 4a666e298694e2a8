# Right: torch.split into chunks, mse_loss per chunk weighted by its share of the rows.
def accumulated_grad(w, X, y, chunk_size):
    if w.grad is not None:
        w.grad.zero_()
    for Xc, yc in zip(X.split(chunk_size), y.split(chunk_size), strict=True):
        loss = torch.nn.functional.mse_loss(Xc @ w, yc) * len(yc) / len(y)
        loss.backward()
    return w.grad
