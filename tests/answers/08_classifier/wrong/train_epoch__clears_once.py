# Clears the gradients once before the epoch, as if they did not pile up from batch to batch. [hint: zero_grad]
def train_epoch(model, X, y, opt, batch_size):
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    opt.zero_grad()
    for start in range(0, len(X), batch_size):
        loss = loss_fn(model(X[start : start + batch_size]), y[start : start + batch_size])
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses
