# Calls PyTorch's own softplus instead of writing a Function. [hint: SoftplusBackward0]
def softplus(x):
    return torch.nn.functional.softplus(x)
