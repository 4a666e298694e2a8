# Reuses the one graph without retain_graph=True, so the second backward finds it freed. [hint: retain_graph]
def descend_with_data(x0, lr, steps):
    x = torch.tensor(float(x0), requires_grad=True)
    f = x * x - 4 * x
    for _ in range(steps):
        f.backward()
        x.data.sub_(lr * x.grad)
        x.grad = None
    return x.item()
