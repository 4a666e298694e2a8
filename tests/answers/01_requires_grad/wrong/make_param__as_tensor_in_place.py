# Turns on requires_grad on whatever as_tensor returns: the caller's own tensor, or an int tensor.
def make_param(values):
    return torch.as_tensor(values).requires_grad_()
