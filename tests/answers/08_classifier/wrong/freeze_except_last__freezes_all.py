# Freezes every parameter, the last Linear's too. [hint: last Linear]
def freeze_except_last(model):
    last = [m for m in model if list(m.parameters())][-1]
    for p in model.parameters():
        p.requires_grad_(False)
    return list(last.parameters())
