# Reaches for clip_grad_norm_, which clips the gradient, not the values of w. [hint: clip_grad_norm_]
def clip_norm_(w, max_norm):
    torch.nn.utils.clip_grad_norm_([w], max_norm)
    return w
