# Right: one branch per sign in both directions; the unused branch may overflow harmlessly.
class Softplus(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        positive = x + torch.log1p(torch.exp(-x))
        return torch.where(x > 0, positive, torch.log1p(torch.exp(x)))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        if not ctx.needs_input_grad[0]:
            return None
        sig = torch.where(x > 0, 1 / (1 + torch.exp(-x)), torch.exp(x) / (1 + torch.exp(x)))
        return grad_output * sig


def softplus(x):
    return Softplus.apply(x)
