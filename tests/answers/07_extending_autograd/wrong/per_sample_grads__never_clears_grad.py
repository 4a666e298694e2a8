# Backpropagates each sample into the same w without clearing w.grad. [hint: never cleared]
def per_sample_grads(w, X, y):
    w = w.detach().clone().requires_grad_(True)
    rows = []
    for x_i, y_i in zip(X, y, strict=True):
        ((x_i @ w - y_i) ** 2).backward()
        rows.append(w.grad.clone())
    return torch.stack(rows)
