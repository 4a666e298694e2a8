# Right: builds the columns with torch.tensor(...) of the inputs (a warning note), nn.init.constant_ and F.mse_loss. [warns: detach().clone()]
def fit_line_nn(x, z, lr, steps):
    net = nn.Linear(1, 1)
    nn.init.constant_(net.weight, 0.0)
    nn.init.constant_(net.bias, 0.0)
    X = torch.tensor(x).view(-1, 1)
    Z = torch.tensor(z).view(-1, 1)
    optimizer = optim.SGD(net.parameters(), lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        F.mse_loss(net(X), Z).backward()
        optimizer.step()
    return net
