# Records float(loss) of a tensor that requires grad (harmless: torch warns). [warns: item()]
def train_epoch(model, X, y, opt, batch_size):
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for start in range(0, len(X), batch_size):
        xb, yb = X[start : start + batch_size], y[start : start + batch_size]
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        losses.append(float(loss))
        loss.backward()
        opt.step()
    return losses
