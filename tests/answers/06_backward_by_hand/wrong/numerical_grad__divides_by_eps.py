# Divides the central difference by eps instead of 2 eps. [hint: 2 eps]
def numerical_grad(f, x, eps=1e-6):
    base = x.detach().to(torch.float64)
    grad = torch.zeros(base.numel(), dtype=torch.float64)
    with torch.no_grad():
        for i in range(base.numel()):
            step = torch.zeros(base.numel(), dtype=torch.float64)
            step[i] = eps
            step = step.reshape(base.shape)
            grad[i] = (f(base + step) - f(base - step)) / eps
    return grad.reshape(base.shape)
