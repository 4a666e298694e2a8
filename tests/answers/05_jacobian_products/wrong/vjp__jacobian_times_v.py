# Builds the Jacobian and multiplies it by v from the right: J v, the forward product. [hint: forward product]
def vjp(f, x, v):
    J = torch.autograd.functional.jacobian(f, x)
    return (J.reshape(v.numel(), x.numel()) @ v.reshape(-1)).reshape(x.shape)
