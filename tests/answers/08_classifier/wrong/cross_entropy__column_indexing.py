# Indexes logits[:, target], which takes whole columns instead of one entry per row. [hint: gather]
def cross_entropy(logits, target):
    return (torch.logsumexp(logits, dim=1) - logits[:, target]).mean()
