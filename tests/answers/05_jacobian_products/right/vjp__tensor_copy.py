# Right: copies x with torch.tensor(x, requires_grad=True), which warns. [warns: detach().clone()]
def vjp(f, x, v):
    leaf = torch.tensor(x, requires_grad=True)
    f(leaf).backward(v)
    return leaf.grad
