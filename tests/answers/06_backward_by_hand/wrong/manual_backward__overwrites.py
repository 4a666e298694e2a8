# Stores each arriving gradient over the one already there, so a tensor used several times keeps only its last contribution. [hint: sum of all its contributions]
def manual_backward(out):
    grads, leaves = {out.grad_fn: torch.ones_like(out)}, {}
    with torch.no_grad():
        for fn in topo_order(out):
            grad = grads[fn]
            if hasattr(fn, "variable"):
                leaves[fn.variable] = grad
                continue
            results = fn(grad)
            results = (results,) if torch.is_tensor(results) else results
            for (child, _), g in zip(fn.next_functions, results, strict=True):
                if child is not None:
                    if hasattr(child, "variable"):
                        g = g.sum_to_size(child.variable.shape)
                    grads[child] = g
    return leaves
