# Calls t.numpy() directly, which PyTorch refuses for a tensor that requires grad. [hint: detach().numpy()]
def to_numpy(t):
    return t.numpy()
