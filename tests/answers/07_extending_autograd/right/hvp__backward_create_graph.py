# Right: backward(create_graph=True) fills x.grad with a graph, which warns harmlessly. [warns: create_graph]
def hvp(f, x, v):
    x = x.detach().clone().requires_grad_(True)
    f(x).backward(create_graph=True)
    grad = x.grad
    x.grad = None
    (grad @ v.detach()).backward()
    return x.grad.detach()
