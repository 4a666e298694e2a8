# Right: retain_graph=True on both calls, and the cube written as w * w * w.
def double_backward_grad(w):
    loss = torch.sum(w * w * w)
    loss.backward(retain_graph=True)
    loss.backward(retain_graph=True)
    return w.grad
