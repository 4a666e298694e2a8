# Adds the gradient instead of subtracting it, so the step climbs the loss. [hint: uphill]
def sgd_step_(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p += lr * p.grad
                p.grad = None
