# Switches back to training mode afterwards even when the model was in evaluation mode. [hint: restore]
def accuracy(model, X, y):
    model.eval()
    with torch.no_grad():
        result = (model(X).argmax(dim=1) == y).float().mean().item()
    model.train()
    return result
