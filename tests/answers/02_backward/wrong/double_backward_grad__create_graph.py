# Confuses retain_graph with create_graph, which records the backward pass itself (and warns). [hint: create_graph]
def double_backward_grad(w):
    loss = (w**3).sum()
    loss.backward(create_graph=True)
    loss.backward()
    return w.grad
