# Right: replaces the entries beyond max_abs by max_abs with their sign.
def clip_through(x, f, g, max_abs):
    h = f(x)
    h.register_hook(lambda grad: torch.where(grad.abs() > max_abs, grad.sign() * max_abs, grad))
    torch.autograd.backward(g(h))
    return x.grad
