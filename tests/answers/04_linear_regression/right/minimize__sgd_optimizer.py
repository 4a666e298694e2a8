# Right: lets optim.SGD make the updates on a copy of x0.
def minimize(f, x0, lr, steps):
    x = x0.detach().clone().requires_grad_(True)
    optimizer = optim.SGD([x], lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        f(x).backward()
        optimizer.step()
    return x.detach()
