# Uses the forward difference (f(x + eps e_i) - f(x)) / eps, whose error is of order eps. [hint: forward difference]
def numerical_grad(f, x, eps=1e-6):
    base = x.detach().to(torch.float64)
    grad = torch.zeros(base.numel(), dtype=torch.float64)
    with torch.no_grad():
        here = f(base)
        for i in range(base.numel()):
            step = torch.zeros(base.numel(), dtype=torch.float64)
            step[i] = eps
            grad[i] = (f(base + step.reshape(base.shape)) - here) / eps
    return grad.reshape(base.shape)
