# Never clears x.grad, so each step uses the sum of all the gradients so far. [hint: never cleared]
def descend_with_data(x0, lr, steps):
    x = torch.tensor(float(x0), requires_grad=True)
    f = x * x - 4 * x
    for _ in range(steps):
        f.backward(retain_graph=True)
        x.data.sub_(lr * x.grad)
    return x.item()
