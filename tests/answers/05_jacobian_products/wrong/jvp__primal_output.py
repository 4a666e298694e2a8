# Keeps the first result of torch.func.jvp, which is f(x), not the tangent J u. [hint: f(x) itself]
def jvp(f, x, u):
    out, _ = torch.func.jvp(f, (x,), (u,))
    return out
