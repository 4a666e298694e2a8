# Freezes the whole model, then switches the last Linear back on.
def freeze_except_last(model):
    model.requires_grad_(False)
    last = [m for m in model if isinstance(m, nn.Linear)][-1]
    last.requires_grad_(True)
    return [p for p in model.parameters() if p.requires_grad]
