# Sidesteps retain_graph by building the loss a second time: two graphs, one pass each. [hint: rebuilding]
def double_backward_grad(w):
    (w**3).sum().backward()
    (w**3).sum().backward()
    return w.grad
