# Believes np.asarray converts any tensor; it calls .numpy() and fails on tracked tensors. [hint: detach().numpy()]
def to_numpy(t):
    return np.asarray(t)
