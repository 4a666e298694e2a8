# Counts with NumPy after taking the predictions out with .numpy(force=True).
def accuracy(model, X, y):
    mode = model.training
    model.eval()
    with torch.no_grad():
        predicted = model(X).argmax(dim=1).numpy(force=True)
    model.train(mode)
    return float((predicted == y.numpy()).mean())
