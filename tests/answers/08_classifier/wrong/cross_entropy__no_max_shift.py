# Writes log-sum-exp as exp, sum, log without subtracting the row's max, so exp(1000) overflows. [hint: overflow]
def cross_entropy(logits, target):
    picked = logits.gather(1, target[:, None]).squeeze(1)
    return (logits.exp().sum(dim=1).log() - picked).mean()
