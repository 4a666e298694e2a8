# Right: works in float64 first and converts at the end, then switches tracking on.
def make_param(values):
    if torch.is_tensor(values):
        values = values.detach().cpu().numpy()
    t = torch.tensor(np.array(values, dtype=np.float64, copy=True)).to(torch.float32)
    return t.requires_grad_()
