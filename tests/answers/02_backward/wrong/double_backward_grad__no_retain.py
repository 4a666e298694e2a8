# Calls backward twice on one graph without retain_graph: the first pass frees it. [hint: retain_graph]
def double_backward_grad(w):
    loss = (w**3).sum()
    loss.backward()
    loss.backward()
    return w.grad
