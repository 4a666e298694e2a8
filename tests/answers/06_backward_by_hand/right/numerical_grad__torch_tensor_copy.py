# Right: copies x with torch.tensor(x, dtype=torch.float64), which warns (harmlessly) that detach().clone() is the idiom. [warns: copy construct]
def numerical_grad(f, x, eps=1e-6):
    base = torch.tensor(x, dtype=torch.float64)
    grad = torch.zeros_like(base)
    for i in range(base.numel()):
        step = torch.zeros_like(base)
        step.view(-1)[i] = eps
        with torch.no_grad():
            grad.view(-1)[i] = (f(base + step) - f(base - step)) / (2 * eps)
    return grad
