# Rescales every w to norm max_norm, also stretching one that was already short enough. [hint: at most max_norm]
def clip_norm_(w, max_norm):
    with torch.no_grad():
        w.mul_(max_norm / w.norm())
    return w
