# Forgets optimizer.zero_grad(), so the gradients of all steps add up. [hint: zero_grad]
def fit_line_nn(x, z, lr, steps):
    net = nn.Linear(1, 1)
    nn.init.zeros_(net.weight)
    nn.init.zeros_(net.bias)
    loss_fn = nn.MSELoss()
    optimizer = optim.SGD(net.parameters(), lr=lr)
    X, Z = x.reshape(-1, 1), z.reshape(-1, 1)
    for _ in range(steps):
        loss = loss_fn(net(X), Z)
        loss.backward()
        optimizer.step()
    return net
