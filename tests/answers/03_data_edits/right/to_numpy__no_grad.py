# Right: with grad mode off, .numpy() is allowed even on a tensor that requires grad.
def to_numpy(t):
    with torch.no_grad():
        return t.cpu().numpy()
