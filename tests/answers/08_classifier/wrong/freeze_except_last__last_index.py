# Takes model[-1] as the layer to keep, which may be a module without parameters. [hint: last module that has parameters]
def freeze_except_last(model):
    for module in model[:-1]:
        module.requires_grad_(False)
    return list(model[-1].parameters())
