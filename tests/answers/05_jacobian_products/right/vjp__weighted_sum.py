# Right: backward of the scalar (v * f(x)).sum(), which has the same gradient as f(x).backward(v).
def vjp(f, x, v):
    x = torch.tensor(x.tolist(), dtype=x.dtype, requires_grad=True)
    (v * f(x)).sum().backward()
    return x.grad
