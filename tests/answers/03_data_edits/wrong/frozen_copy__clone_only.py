# Believes clone() gives a plain copy: it is recorded, so it requires grad and has a grad_fn. [hint: clone()]
def frozen_copy(t):
    return t.clone()
