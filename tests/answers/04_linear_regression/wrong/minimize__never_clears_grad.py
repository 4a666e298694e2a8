# Never clears x.grad, so every step uses the sum of all gradients so far. [hint: clear x.grad]
def minimize(f, x0, lr, steps):
    x = x0.detach().clone().requires_grad_(True)
    for _ in range(steps):
        f(x).backward()
        with torch.no_grad():
            x -= lr * x.grad
    return x.detach()
