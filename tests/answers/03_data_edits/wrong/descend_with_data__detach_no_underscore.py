# Updates through x.detach().sub(...), which without the underscore makes a new tensor: x never moves. [hint: x.data]
def descend_with_data(x0, lr, steps):
    x = torch.tensor(float(x0), requires_grad=True)
    f = x * x - 4 * x
    for _ in range(steps):
        f.backward(retain_graph=True)
        x.detach().sub(lr * x.grad)
        x.grad = None
    return x.item()
