# Assumes every parameter has a gradient, and fails on one whose .grad is None. [hint: NoneType]
def sgd_step_(params, lr):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad = None
