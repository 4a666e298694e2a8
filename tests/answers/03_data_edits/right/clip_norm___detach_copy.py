# Right: writes the rescaled values through w.detach(), which shares w's memory.
def clip_norm_(w, max_norm):
    values = w.detach()
    norm = values.pow(2).sum().sqrt()
    if norm > max_norm:
        values.copy_(values * max_norm / norm)
    return w
