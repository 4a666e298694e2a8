# Steps entries of x.detach().double() in place and undoes each step by subtraction: for a float64 x that is x's own memory, and rounding changes it. [hint: in-place]
def numerical_grad(f, x, eps=1e-6):
    base = x.detach().double()
    flat = base.view(-1)
    grad = torch.zeros(flat.numel(), dtype=torch.float64)
    with torch.no_grad():
        for i in range(flat.numel()):
            flat[i] += eps
            up = f(base)
            flat[i] -= 2 * eps
            down = f(base)
            flat[i] += eps
            grad[i] = (up - down) / (2 * eps)
    return grad.reshape(base.shape)
