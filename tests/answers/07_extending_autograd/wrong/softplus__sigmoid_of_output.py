# Saves the output and takes sigmoid of it, not of the input. [hint: sigmoid of the input]
class Softplus(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = x.clamp(min=0) + torch.log1p(torch.exp(-x.abs()))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * torch.sigmoid(y)


def softplus(x):
    return Softplus.apply(x)
