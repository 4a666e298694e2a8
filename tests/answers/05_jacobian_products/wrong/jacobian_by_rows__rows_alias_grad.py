# Zeroes x.grad before each pass and keeps x.grad itself: every row is one tensor. [hint: same tensor]
def jacobian_by_rows(f, x):
    x = x.detach().clone().requires_grad_(True)
    y = f(x)
    rows = []
    for unit in torch.eye(y.numel()):
        if x.grad is not None:
            x.grad.zero_()
        y.backward(unit, retain_graph=True)
        rows.append(x.grad)
    return torch.stack(rows)
