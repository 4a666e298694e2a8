# Switches requires_grad off to be allowed to edit w, and never switches it back on. [hint: requires_grad off]
def clip_norm_(w, max_norm):
    w.requires_grad_(False)
    norm = w.norm()
    if norm > max_norm:
        w.mul_(max_norm / norm)
    return w
