# Returns from inside the loop, so only one pass ever runs. [hint: return after the first pass]
def repeated_backward(w, x, n):
    for _ in range(n):
        torch.dot(w, x).backward()
        return w.grad
    return torch.zeros_like(w)
