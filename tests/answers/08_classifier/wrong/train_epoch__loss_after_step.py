# Records each batch's loss recomputed after the step, not the one that drove the step. [hint: before opt.step()]
def train_epoch(model, X, y, opt, batch_size):
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for start in range(0, len(X), batch_size):
        xb, yb = X[start : start + batch_size], y[start : start + batch_size]
        opt.zero_grad()
        loss_fn(model(xb), yb).backward()
        opt.step()
        with torch.no_grad():
            losses.append(loss_fn(model(xb), yb).item())
    return losses
