# Right: the Jacobian of the vector of per-sample losses has one gradient per row.
def per_sample_grads(w, X, y):
    return torch.func.jacrev(lambda w: (X @ w - y) ** 2)(w.detach())
