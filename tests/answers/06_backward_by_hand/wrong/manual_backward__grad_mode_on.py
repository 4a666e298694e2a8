# Calls the nodes with grad mode on, so the calls are recorded and the gradients require grad. [hint: requires grad]
def manual_backward(out):
    grads, leaves = {out.grad_fn: torch.ones_like(out)}, {}
    for fn in topo_order(out):
        grad = grads.pop(fn)
        if hasattr(fn, "variable"):
            leaves[fn.variable] = grad
            continue
        results = fn(grad)
        results = (results,) if torch.is_tensor(results) else results
        for (child, _), g in zip(fn.next_functions, results, strict=True):
            if child is not None:
                if hasattr(child, "variable"):
                    g = g.sum_to_size(child.variable.shape)
                grads[child] = grads[child] + g if child in grads else g
    return leaves
