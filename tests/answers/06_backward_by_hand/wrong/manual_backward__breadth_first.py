# Runs the nodes breadth-first, each as soon as it is reached, so a gradient that arrives along a longer path comes too late. [hint: topological]
def manual_backward(out):
    grads, leaves = {out.grad_fn: torch.ones_like(out)}, {}
    queue, seen = [out.grad_fn], {out.grad_fn}
    with torch.no_grad():
        for fn in queue:
            grad = grads[fn]
            if hasattr(fn, "variable"):
                leaves[fn.variable] = grad
                continue
            results = fn(grad)
            results = (results,) if torch.is_tensor(results) else results
            for (child, _), g in zip(fn.next_functions, results, strict=True):
                if child is None:
                    continue
                if hasattr(child, "variable"):
                    g = g.sum_to_size(child.variable.shape)
                grads[child] = grads[child] + g if child in grads else g
                if child not in seen:
                    seen.add(child)
                    queue.append(child)
    return leaves
