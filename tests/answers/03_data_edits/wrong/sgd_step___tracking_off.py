# Switches requires_grad off to be allowed to edit, and never switches it back on. [hint: requires_grad off]
def sgd_step_(params, lr):
    for p in params:
        if p.grad is not None:
            p.requires_grad_(False)
            p -= lr * p.grad
            p.grad = None
