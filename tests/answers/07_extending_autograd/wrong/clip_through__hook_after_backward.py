# Registers the hook after backward has already run, so nothing is clamped. [hint: before calling backward]
def clip_through(x, f, g, max_abs):
    h = f(x)
    g(h).backward()
    h.register_hook(lambda grad: grad.clamp(-max_abs, max_abs))
    return x.grad
