# Right: copies x0 with torch.tensor(x0, requires_grad=True), a fresh leaf (with a warning note), and zeroes x.grad in place. [warns: detach().clone()]
def minimize(f, x0, lr, steps):
    x = torch.tensor(x0, requires_grad=True)
    for _ in range(steps):
        f(x).backward()
        with torch.no_grad():
            x.sub_(lr * x.grad)
        x.grad.zero_()
    return x.detach()
