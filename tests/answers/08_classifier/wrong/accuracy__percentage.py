# Reports a percentage instead of a fraction. [hint: percentage]
def accuracy(model, X, y):
    was_training = model.training
    model.eval()
    with torch.no_grad():
        predicted = model(X).argmax(dim=1)
    model.train(was_training)
    return 100 * (predicted == y).float().mean().item()
