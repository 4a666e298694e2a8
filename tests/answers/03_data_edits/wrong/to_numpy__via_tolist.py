# Goes through Python lists, so a float32 tensor comes back as a float64 array. [hint: tolist()]
def to_numpy(t):
    return np.array(t.tolist())
