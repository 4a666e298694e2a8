# Freezes the right parameters but hands back every parameter of the model. [hint: unexpected]
def freeze_except_last(model):
    last = [m for m in model if list(m.parameters())][-1]
    for module in model:
        if module is not last:
            module.requires_grad_(False)
    return list(model.parameters())
