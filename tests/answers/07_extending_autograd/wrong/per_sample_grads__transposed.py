# Stacks the gradients as columns: a (d, N) result. [hint: transposed]
def per_sample_grads(w, X, y):
    rows = torch.func.vmap(torch.func.grad(lambda w, x, t: (x @ w - t) ** 2), in_dims=(None, 0, 0))
    return rows(w.detach(), X, y).T
