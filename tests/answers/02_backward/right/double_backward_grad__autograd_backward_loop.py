# Right: a loop over torch.autograd.backward that keeps the graph only for the first pass.
def double_backward_grad(w):
    loss = w.pow(3).sum()
    for i in range(2):
        torch.autograd.backward(loss, retain_graph=i == 0)
    return w.grad
