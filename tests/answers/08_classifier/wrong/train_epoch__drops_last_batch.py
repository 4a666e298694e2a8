# Counts len(X) // batch_size batches, so a smaller last batch is never trained on. [hint: last, smaller batch]
def train_epoch(model, X, y, opt, batch_size):
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for i in range(len(X) // batch_size):
        xb, yb = X[i * batch_size : (i + 1) * batch_size], y[i * batch_size : (i + 1) * batch_size]
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses
