# Clamps each entry to [-max_norm, max_norm], which is not norm clipping and bends the direction. [hint: clamping]
def clip_norm_(w, max_norm):
    w.data.clamp_(-max_norm, max_norm)
    return w
