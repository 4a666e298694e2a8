# Right: copies through clone().detach() and converts with .float(), another API.
def make_param(values):
    if isinstance(values, torch.Tensor):
        t = values.clone().detach().float()
    else:
        t = torch.tensor(values).float()
    t.requires_grad = True
    return t
