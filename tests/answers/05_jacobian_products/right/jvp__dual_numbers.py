# Right: forward-mode dual numbers from torch.autograd.forward_ad.
def jvp(f, x, u):
    import torch.autograd.forward_ad as fwAD

    with fwAD.dual_level():
        out = f(fwAD.make_dual(x, u))
        return fwAD.unpack_dual(out).tangent.clone()
