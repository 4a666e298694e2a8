# Right: torch.optim.SGD does the step and zero_grad() sets the gradients to None.
def sgd_step_(params, lr):
    with_grad = [p for p in params if p.grad is not None]
    if with_grad:
        opt = torch.optim.SGD(with_grad, lr=lr)
        opt.step()
        opt.zero_grad(set_to_none=True)
