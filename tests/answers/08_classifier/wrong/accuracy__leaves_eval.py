# Switches to evaluation mode and never switches back. [hint: was_training]
def accuracy(model, X, y):
    model.eval()
    with torch.no_grad():
        return (model(X).argmax(dim=1) == y).float().mean().item()
