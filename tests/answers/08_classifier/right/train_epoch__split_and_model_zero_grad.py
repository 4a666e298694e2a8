# torch.split into batches, model.zero_grad() to clear, F.cross_entropy for the mean loss.
def train_epoch(model, X, y, opt, batch_size):
    losses = []
    for xb, yb in zip(torch.split(X, batch_size), torch.split(y, batch_size), strict=True):
        model.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        losses.append(loss.detach().item())
    return losses
