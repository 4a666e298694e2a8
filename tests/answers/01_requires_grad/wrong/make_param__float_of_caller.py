# Believes .float() always copies: for float32 it returns the caller's tensor. [hint: .float()]
def make_param(values):
    t = values if torch.is_tensor(values) else torch.tensor(values)
    return t.float().requires_grad_()
