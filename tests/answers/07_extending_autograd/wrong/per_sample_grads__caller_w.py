# Turns on requires_grad on the caller's w instead of a copy. [hint: copy]
def per_sample_grads(w, X, y):
    w.requires_grad_(True)
    rows = [torch.autograd.grad((x_i @ w - y_i) ** 2, w)[0] for x_i, y_i in zip(X, y, strict=True)]
    return torch.stack(rows)
