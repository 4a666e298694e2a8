# Backward returns sigmoid(x) alone, dropping the gradient that arrives at the output. [hint: incoming gradient]
class Softplus(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0) + torch.log1p(torch.exp(-x.abs()))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return torch.sigmoid(x)


def softplus(x):
    return Softplus.apply(x)
