# Believes model.eval() freezes the parameters. [hint: eval()]
def freeze_except_last(model):
    model.eval()
    return list(model[-1].parameters())
