# Adds up the rows' losses instead of averaging them. [hint: a sum where a mean]
def cross_entropy(logits, target):
    picked = logits.gather(1, target[:, None]).squeeze(1)
    return (torch.logsumexp(logits, dim=1) - picked).sum()
