# Right: one float64 copy of x, stepped in place entry by entry and restored from the saved value.
def numerical_grad(f, x, eps=1e-6):
    work = x.detach().to(torch.float64, copy=True)
    flat = work.view(-1)
    grad = torch.empty_like(flat)
    with torch.no_grad():
        for i in range(flat.numel()):
            saved = flat[i].item()
            flat[i] = saved + eps
            up = f(work).item()
            flat[i] = saved - eps
            down = f(work).item()
            flat[i] = saved
            grad[i] = (up - down) / (2 * eps)
    return grad.view(x.shape)
