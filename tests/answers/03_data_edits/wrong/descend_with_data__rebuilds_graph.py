# Rebuilds the graph at every step (the modern loop) instead of the one-graph loop asked for. [hint: build f once]
def descend_with_data(x0, lr, steps):
    x = torch.tensor(float(x0), requires_grad=True)
    for _ in range(steps):
        f = x * x - 4 * x
        f.backward()
        x.data.sub_(lr * x.grad)
        x.grad = None
    return x.item()
