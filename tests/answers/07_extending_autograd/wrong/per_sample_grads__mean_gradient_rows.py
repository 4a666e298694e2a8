# Repeats the gradient of the batch's mean loss in every row. [hint: mean loss]
def per_sample_grads(w, X, y):
    w = w.detach().clone().requires_grad_(True)
    ((X @ w - y) ** 2).mean().backward()
    return w.grad.expand(X.shape[0], -1).clone()
