# Rebinds the loop variable to a detached copy, which leaves the parameter itself untouched. [hint: detach]
def freeze_except_last(model):
    last = [m for m in model if list(m.parameters())][-1]
    for module in model:
        if module is not last:
            for p in module.parameters():
                p = p.detach()
    return list(last.parameters())
