# Uses a one-sided finite difference in float32, which is only an approximation of J u. [hint: finite-difference]
def jvp(f, x, u):
    eps = 1e-3
    return (f(x + eps * u) - f(x)) / eps
