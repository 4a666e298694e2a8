# Puts the clamping hook on x instead of h, and leaves it there. [hint: h.register_hook]
def clip_through(x, f, g, max_abs):
    x.register_hook(lambda grad: grad.clamp(-max_abs, max_abs))
    g(f(x)).backward()
    return x.grad
