# Switches tracking on for the caller's own x, which then requires grad. [hint: work on a copy]
def blitz_grad(x):
    x.requires_grad_(True)
    out = (3 * (x + 2) ** 2).mean()
    out.backward()
    return x.grad
