# Computes in x's own dtype, so a float32 x loses most digits of every difference. [hint: float64]
def numerical_grad(f, x, eps=1e-6):
    base = x.detach()
    grad = torch.zeros_like(base).reshape(-1)
    with torch.no_grad():
        for i in range(base.numel()):
            step = torch.zeros_like(base).reshape(-1)
            step[i] = eps
            step = step.reshape(base.shape)
            grad[i] = (f(base + step) - f(base - step)) / (2 * eps)
    return grad.reshape(base.shape)
