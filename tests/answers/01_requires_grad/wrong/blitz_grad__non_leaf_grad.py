# Reads .grad of the intermediate y = x + 2 (a non-leaf), which is None. [hint: not a leaf]
def blitz_grad(x):
    x = x.detach().clone().requires_grad_(True)
    y = x + 2
    out = (3 * y**2).mean()
    out.backward()
    return y.grad
