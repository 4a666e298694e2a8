# Keeps the loss tensors themselves instead of Python numbers. [hint: .item()]
def train_epoch(model, X, y, opt, batch_size):
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for start in range(0, len(X), batch_size):
        opt.zero_grad()
        loss = loss_fn(model(X[start : start + batch_size]), y[start : start + batch_size])
        loss.backward()
        opt.step()
        losses.append(loss.detach())
    return losses
