# Right: Tensor.clip is clamp under another name.
def clip_through(x, f, g, max_abs):
    h = f(x)
    h.register_hook(lambda grad: grad.clip(-float(max_abs), float(max_abs)))
    out = g(h)
    out.backward()
    return x.grad
