# Multiplies v by the Hessian's diagonal only. [hint: diagonal]
def hvp(f, x, v):
    H = torch.autograd.functional.hessian(f, x.detach())
    return H.diagonal() * v.detach()
