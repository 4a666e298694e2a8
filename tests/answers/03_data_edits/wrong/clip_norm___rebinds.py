# Computes a rescaled new tensor and returns it, leaving the caller's w unchanged. [hint: not a new tensor]
def clip_norm_(w, max_norm):
    norm = w.norm()
    if norm > max_norm:
        w = w * (max_norm / norm)
    return w
