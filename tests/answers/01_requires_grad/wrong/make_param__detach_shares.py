# Believes detach() copies: the parameter shares the caller's memory. [hint: detach() alone]
def make_param(values):
    if torch.is_tensor(values):
        return values.detach().to(torch.float32).requires_grad_()
    return torch.tensor(values, dtype=torch.float32).requires_grad_()
