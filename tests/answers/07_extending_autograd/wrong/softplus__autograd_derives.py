# Writes the stable formula but lets autograd derive its gradient: no Function of its own. [hint: BackwardCFunction]
def softplus(x):
    return x.clamp(min=0) + torch.log1p(torch.exp(-x.abs()))
