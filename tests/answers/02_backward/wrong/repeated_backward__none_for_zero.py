# Forgets the n == 0 case: no pass ran, so w.grad is still None instead of zeros. [hint: n == 0]
def repeated_backward(w, x, n):
    for _ in range(n):
        torch.dot(w, x).backward()
    return w.grad
