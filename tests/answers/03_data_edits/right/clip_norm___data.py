# Right: edits through w.data, with the norm computed in float64 by torch.linalg.
def clip_norm_(w, max_norm):
    norm = float(torch.linalg.vector_norm(w.detach().double()))
    if norm > max_norm:
        w.data.mul_(max_norm / norm)
    return w
