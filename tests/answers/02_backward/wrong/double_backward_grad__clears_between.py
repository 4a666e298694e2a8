# Clears w.grad between the two passes, believing the second pass must start from nothing. [hint: do not clear]
def double_backward_grad(w):
    loss = (w**3).sum()
    loss.backward(retain_graph=True)
    w.grad = None
    loss.backward()
    return w.grad
