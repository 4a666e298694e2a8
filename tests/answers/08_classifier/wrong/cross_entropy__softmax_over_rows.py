# Normalises over dim=0, the rows, instead of over the classes of each row. [hint: dim=1]
def cross_entropy(logits, target):
    return -F.log_softmax(logits, dim=0).gather(1, target[:, None]).mean()
