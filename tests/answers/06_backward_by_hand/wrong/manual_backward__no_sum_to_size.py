# Adds the gradients as they arrive and forgets that a broadcast leaf gets one of the broadcast shape. [hint: sum_to_size]
def manual_backward(out):
    grads, leaves = {out.grad_fn: torch.ones_like(out)}, {}
    with torch.no_grad():
        for fn in topo_order(out):
            grad = grads.pop(fn)
            if hasattr(fn, "variable"):
                leaves[fn.variable] = grad
                continue
            results = fn(grad)
            results = (results,) if torch.is_tensor(results) else results
            for (child, _), g in zip(fn.next_functions, results, strict=True):
                if child is not None:
                    grads[child] = grads[child] + g if child in grads else g
    return leaves
