# Clears before each batch but leaves the last batch's gradient in w.grad. [hint: once the last batch]
def per_batch_grads(w, batches):
    grads = []
    for X, y in batches:
        w.grad = None
        ((X @ w - y) ** 2).mean().backward()
        grads.append(w.grad)
    return grads
