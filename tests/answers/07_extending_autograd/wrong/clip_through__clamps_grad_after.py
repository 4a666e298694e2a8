# Clamps x.grad after backward instead of the gradient that flows into h. [hint: h.register_hook]
def clip_through(x, f, g, max_abs):
    g(f(x)).backward()
    return x.grad.clamp_(-max_abs, max_abs)
