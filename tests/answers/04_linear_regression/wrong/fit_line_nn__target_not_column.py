# Compares the (N, 1) prediction with the (N,) target, which broadcasts to an (N, N) table. [hint: column]
def fit_line_nn(x, z, lr, steps):
    net = nn.Linear(1, 1)
    with torch.no_grad():
        net.weight.fill_(0.0)
        net.bias.fill_(0.0)
    loss_fn = nn.MSELoss()
    optimizer = optim.SGD(net.parameters(), lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(net(x.unsqueeze(1)), z)
        loss.backward()
        optimizer.step()
    return net
