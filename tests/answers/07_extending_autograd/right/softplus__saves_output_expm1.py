# Right: saves the output y and uses sigmoid(x) = 1 - exp(-y), computed as -expm1(-y).
class Softplus(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = torch.where(x > 0, x + torch.log1p(torch.exp(-x)), torch.log1p(torch.exp(x)))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return -grad_output * torch.expm1(-y)


def softplus(x):
    return Softplus.apply(x)
