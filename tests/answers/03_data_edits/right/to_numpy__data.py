# Right: the old spelling t.data.numpy(), and a copy of the values.
def to_numpy(t):
    return t.data.numpy().copy()
