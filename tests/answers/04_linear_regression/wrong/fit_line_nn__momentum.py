# Copies the momentum variant of the lesson (momentum=0.9) where plain SGD was asked for. [hint: momentum]
def fit_line_nn(x, z, lr, steps):
    net = nn.Linear(1, 1)
    with torch.no_grad():
        net.weight.zero_()
        net.bias.zero_()
    loss_fn = nn.MSELoss()
    optimizer = optim.SGD(net.parameters(), lr=lr, momentum=0.9)
    X, Z = x.reshape(-1, 1), z.reshape(-1, 1)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(net(X), Z)
        loss.backward()
        optimizer.step()
    return net
