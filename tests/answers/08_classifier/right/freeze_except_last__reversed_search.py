# Searches backwards for the last module with parameters; sets p.requires_grad = False.
def freeze_except_last(model):
    last = next(m for m in reversed(list(model)) if any(True for _ in m.parameters()))
    kept = list(last.parameters())
    for p in model.parameters():
        if not any(p is k for k in kept):
            p.requires_grad = False
    return kept
