# Right: an empty tensor filled under torch.no_grad(), so the copy is not recorded.
def frozen_copy(t):
    with torch.no_grad():
        out = torch.empty_like(t, requires_grad=False)
        out.copy_(t)
    return out
