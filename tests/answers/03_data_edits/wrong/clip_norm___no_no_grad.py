# Scales the leaf in place without torch.no_grad(), which autograd refuses. [hint: in-place operation]
def clip_norm_(w, max_norm):
    norm = w.norm().item()
    if norm > max_norm:
        w.mul_(max_norm / norm)
    return w
