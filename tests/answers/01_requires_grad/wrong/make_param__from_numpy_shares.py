# Uses torch.from_numpy: the parameter shares the caller's float32 array. [hint: shares memory]
def make_param(values):
    if torch.is_tensor(values):
        return values.detach().clone().float().requires_grad_()
    if not isinstance(values, np.ndarray):
        values = np.array(values, dtype=np.float32)
    return torch.from_numpy(values).float().requires_grad_()
