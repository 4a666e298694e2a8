# Right: x ** 2 saves x too, x.data -= ..., and float(x) at the end (it warns, harmlessly). [warns: item()]
def descend_with_data(x0, lr, steps):
    x = torch.tensor(float(x0), requires_grad=True)
    f = x**2 - 4 * x
    for _ in range(steps):
        f.backward(retain_graph=True)
        x.data -= lr * x.grad
        x.grad.zero_()
    return float(x)
