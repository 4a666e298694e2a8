# Builds the dot product once and calls backward on it n times: the first pass frees the graph. [hint: retain_graph]
def repeated_backward(w, x, n):
    if n == 0:
        return torch.zeros_like(w)
    a = torch.dot(w, x)
    for _ in range(n):
        a.backward()
    return w.grad
