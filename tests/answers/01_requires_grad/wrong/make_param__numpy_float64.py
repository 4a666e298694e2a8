# Goes through NumPy's default float64, forgetting a parameter is float32. [hint: float32]
def make_param(values):
    if torch.is_tensor(values):
        values = values.detach().numpy()
    t = torch.tensor(np.array(values, dtype=float))
    t.requires_grad = True
    return t
