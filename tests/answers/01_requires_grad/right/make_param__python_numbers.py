# Right: goes through Python numbers, float(t) for a 0-d tensor, tolist() otherwise. [warns: item()]
def make_param(values):
    if torch.is_tensor(values):
        values = float(values) if values.dim() == 0 else values.tolist()
    return torch.tensor(values, dtype=torch.float32).requires_grad_()
