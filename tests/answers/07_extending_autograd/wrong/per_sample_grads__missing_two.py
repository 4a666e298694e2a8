# Writes the gradient by hand as r_i X[i], forgetting the 2 of the square. [hint: 2 r]
def per_sample_grads(w, X, y):
    residuals = X @ w.detach() - y
    return residuals[:, None] * X
