# Returns every row's loss and forgets to reduce them to one number. [hint: .mean()]
def cross_entropy(logits, target):
    return torch.logsumexp(logits, dim=1) - logits.gather(1, target[:, None]).squeeze(1)
