# Returns the tensor x instead of a Python float. [hint: item()]
def descend_with_data(x0, lr, steps):
    x = torch.tensor(float(x0), requires_grad=True)
    f = x * x - 4 * x
    for _ in range(steps):
        f.backward(retain_graph=True)
        x.data.sub_(lr * x.grad)
        x.grad = None
    return x
