# Right: one torch.tensor call, which copies a tensor too (and warns). [warns: detach().clone()]
def make_param(values):
    return torch.tensor(values, dtype=torch.float32, requires_grad=True)
