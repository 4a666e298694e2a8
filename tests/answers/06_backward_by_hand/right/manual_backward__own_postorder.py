# Right: orders the nodes itself (iterative depth-first post-order, reversed) and reduces at the sending side.
def manual_backward(out):
    order, seen, stack = [], {out.grad_fn}, [out.grad_fn]
    while stack:
        fn = stack[-1]
        below = [c for c, _ in fn.next_functions if c is not None and c not in seen]
        if below:
            seen.add(below[0])
            stack.append(below[0])
        else:
            order.append(stack.pop())
    grads = {out.grad_fn: torch.ones_like(out)}
    with torch.no_grad():
        for fn in reversed(order):
            grad = grads[fn]
            if hasattr(fn, "variable"):
                continue
            results = fn(grad)
            results = [results] if torch.is_tensor(results) else list(results)
            for (child, _), g in zip(fn.next_functions, results, strict=True):
                if child is None:
                    continue
                if hasattr(child, "variable"):
                    g = g.sum_to_size(child.variable.shape)
                grads[child] = grads.get(child, 0) + g
    return {fn.variable: grads[fn] for fn in order if hasattr(fn, "variable")}
