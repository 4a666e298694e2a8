# Takes the sum where the formula says mean, so the gradient is N times too large. [hint: mean]
def blitz_grad(x):
    x = x.detach().clone().requires_grad_(True)
    out = (3 * (x + 2) ** 2).sum()
    out.backward()
    return x.grad
