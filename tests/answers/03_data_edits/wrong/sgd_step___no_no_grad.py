# Updates the leaf in place without torch.no_grad(), which autograd refuses. [hint: in-place operation]
def sgd_step_(params, lr):
    for p in params:
        if p.grad is not None:
            p -= lr * p.grad
            p.grad = None
