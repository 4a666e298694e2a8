# Turns on requires_grad on what as_tensor returns: the caller's tensor, or ints. [hint: as_tensor]
def make_param(values):
    return torch.as_tensor(values).requires_grad_()
