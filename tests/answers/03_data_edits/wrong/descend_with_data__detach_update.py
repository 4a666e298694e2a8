# Believes x.detach() is the modern .data: its in-place edit is seen by the next backward. [hint: x.detach()]
def descend_with_data(x0, lr, steps):
    x = torch.tensor(float(x0), requires_grad=True)
    f = x * x - 4 * x
    for _ in range(steps):
        f.backward(retain_graph=True)
        x.detach().sub_(lr * x.grad)
        x.grad = None
    return x.item()
