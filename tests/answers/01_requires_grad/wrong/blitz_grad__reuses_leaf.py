# Keeps one leaf across calls, so its .grad accumulates call after call. [hint: fresh copy]
leaf = None


def blitz_grad(x):
    global leaf
    if leaf is None or leaf.shape != x.shape:
        leaf = x.detach().clone().requires_grad_(True)
    out = (3 * (leaf + 2) ** 2).mean()
    out.backward()
    return leaf.grad
