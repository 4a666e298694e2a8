# Passes every gradient down recursively as soon as it arrives: right by linearity, but one nested call per level. [hint: recursion]
def manual_backward(out):
    leaves = {}

    def send(fn, grad):
        if hasattr(fn, "variable"):
            g = grad.sum_to_size(fn.variable.shape)
            leaves[fn.variable] = leaves[fn.variable] + g if fn.variable in leaves else g
            return
        results = fn(grad)
        results = (results,) if torch.is_tensor(results) else results
        for (child, _), g in zip(fn.next_functions, results, strict=True):
            if child is not None:
                send(child, g)

    with torch.no_grad():
        send(out.grad_fn, torch.ones_like(out))
    return leaves
