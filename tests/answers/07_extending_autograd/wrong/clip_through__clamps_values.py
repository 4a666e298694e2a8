# Clamps the values of h instead of the gradient flowing into it. [hint: values]
def clip_through(x, f, g, max_abs):
    h = f(x).clamp(-max_abs, max_abs)
    g(h).backward()
    return x.grad
