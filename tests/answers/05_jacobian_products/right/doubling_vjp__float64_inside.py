# Right: works on a float64 copy and converts the results back to x's dtype.
def doubling_vjp(x, v):
    x64 = x.detach().to(torch.float64).requires_grad_(True)
    y = 2 * x64
    while torch.linalg.vector_norm(y.detach()).item() < 1000.0:
        y = 2 * y
    y.backward(v.to(torch.float64))
    return y.detach().to(x.dtype), x64.grad.to(x.dtype)
