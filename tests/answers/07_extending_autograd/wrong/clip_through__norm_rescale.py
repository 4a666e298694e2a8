# Rescales the gradient to norm max_abs (norm clipping) instead of clamping each entry. [hint: norm]
def clip_through(x, f, g, max_abs):
    h = f(x)
    h.register_hook(lambda grad: grad * min(1.0, max_abs / grad.norm().item()))
    g(h).backward()
    return x.grad
