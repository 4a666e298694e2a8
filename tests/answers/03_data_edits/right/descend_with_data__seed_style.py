# Right: the tutorial's own spelling, torch.sum(x * x - 4 * x) and x.grad.data.zero_().
def descend_with_data(x0, lr, steps):
    x = torch.tensor(x0, dtype=torch.float, requires_grad=True)
    cost = torch.sum(x * x - 4 * x)
    for _ in range(steps):
        cost.backward(retain_graph=True)
        x.data.sub_(lr * x.grad)
        x.grad.data.zero_()
    return x.item()
