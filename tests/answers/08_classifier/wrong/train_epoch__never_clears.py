# Never clears the gradients, so every step uses the sum of all earlier batches' gradients. [hint: zero_grad]
def train_epoch(model, X, y, opt, batch_size):
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for start in range(0, len(X), batch_size):
        loss = loss_fn(model(X[start : start + batch_size]), y[start : start + batch_size])
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses
