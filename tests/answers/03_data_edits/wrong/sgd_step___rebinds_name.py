# Writes p = p - lr * p.grad, which only rebinds the loop variable to a new tensor. [hint: new tensor]
def sgd_step_(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p = p - lr * p.grad
                p.grad = None
