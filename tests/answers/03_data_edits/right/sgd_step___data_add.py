# Right: the old spelling, p.data.add_(p.grad, alpha=-lr), then p.grad = None.
def sgd_step_(params, lr):
    for p in params:
        if p.grad is None:
            continue
        p.data.add_(p.grad, alpha=-lr)
        p.grad = None
    return None
