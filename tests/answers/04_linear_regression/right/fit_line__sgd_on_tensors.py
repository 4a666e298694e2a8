# Right: nn.MSELoss and optim.SGD on the two plain tensors, the loss recorded with .item().
def fit_line(x, z, lr, steps):
    params = torch.zeros(2, requires_grad=True)
    optimizer = optim.SGD([params], lr=lr)
    loss_fn = nn.MSELoss()
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(params[0] * x + params[1], z)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    w, b = params.tolist()
    return w, b, losses
