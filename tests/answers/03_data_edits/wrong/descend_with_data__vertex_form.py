# Writes f as (x - 2)**2 - 4: the graph saves x - 2 once, and the .data edits never reach it. [hint: gradient at x0]
def descend_with_data(x0, lr, steps):
    x = torch.tensor(float(x0), requires_grad=True)
    f = (x - 2) ** 2 - 4
    for _ in range(steps):
        f.backward(retain_graph=True)
        x.data.sub_(lr * x.grad)
        x.grad = None
    return x.item()
