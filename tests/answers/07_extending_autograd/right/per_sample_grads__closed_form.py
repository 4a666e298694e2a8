# Right: the exact gradient by hand, 2 r_i X[i], for all samples at once.
def per_sample_grads(w, X, y):
    residuals = X @ w.detach() - y
    return 2 * residuals.unsqueeze(1) * X
