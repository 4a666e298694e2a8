# Clamps the gradient from above only, so large negative entries pass. [hint: upper bound]
def clip_through(x, f, g, max_abs):
    h = f(x)
    h.register_hook(lambda grad: grad.clamp(max=max_abs))
    g(h).backward()
    return x.grad
