# Updates in place under torch.no_grad(): the version counter trips the second backward. [hint: no_grad]
def descend_with_data(x0, lr, steps):
    x = torch.tensor(float(x0), requires_grad=True)
    f = x * x - 4 * x
    for _ in range(steps):
        f.backward(retain_graph=True)
        with torch.no_grad():
            x -= lr * x.grad
        x.grad = None
    return x.item()
