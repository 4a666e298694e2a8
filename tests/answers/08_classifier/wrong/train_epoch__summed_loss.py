# Uses the summed loss (reduction="sum"), so each step is batch_size times too large. [hint: a sum where a mean]
def train_epoch(model, X, y, opt, batch_size):
    loss_fn = nn.CrossEntropyLoss(reduction="sum")
    losses = []
    for start in range(0, len(X), batch_size):
        opt.zero_grad()
        loss = loss_fn(model(X[start : start + batch_size]), y[start : start + batch_size])
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses
