# Steps x itself instead of a detached copy, so f sees tensors that require grad (and float() warns about it). [hint: requires grad]
def numerical_grad(f, x, eps=1e-6):
    base = x.to(torch.float64)
    grad = torch.zeros(base.numel(), dtype=torch.float64)
    for i in range(base.numel()):
        step = torch.zeros(base.numel(), dtype=torch.float64)
        step[i] = eps
        step = step.reshape(base.shape)
        grad[i] = float(f(base + step) - f(base - step)) / (2 * eps)
    return grad.reshape(base.shape)
