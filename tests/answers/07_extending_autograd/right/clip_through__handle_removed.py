# Right: a named hook, and its handle removed once backward is done.
def clip_through(x, f, g, max_abs):
    def clamp(grad):
        return torch.clamp(grad, min=-max_abs, max=max_abs)

    h = f(x)
    handle = h.register_hook(clamp)
    loss = g(h)
    loss.backward()
    handle.remove()
    return x.grad
