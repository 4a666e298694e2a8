# Believes .float() always copies: for a float32 tensor it returns the caller's tensor itself.
def make_param(values):
    t = values if torch.is_tensor(values) else torch.tensor(values)
    return t.float().requires_grad_()
