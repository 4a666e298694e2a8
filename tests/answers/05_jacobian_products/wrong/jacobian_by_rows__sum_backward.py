# Runs one backward pass of y.sum() and repeats that gradient for every row. [hint: outputs' sum]
def jacobian_by_rows(f, x):
    x = x.detach().clone().requires_grad_(True)
    y = f(x)
    y.sum().backward()
    return torch.stack([x.grad.clone() for _ in range(y.numel())])
