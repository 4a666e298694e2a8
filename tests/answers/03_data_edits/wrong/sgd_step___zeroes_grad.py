# Clears with p.grad.zero_(), leaving a tensor of zeros where the contract asks for None. [hint: zero_()]
def sgd_step_(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p -= lr * p.grad
                p.grad.zero_()
