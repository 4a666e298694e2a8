# Right: a depth-first post-order with a stack of its own (a node is listed once all below it are), reversed.
def topo_order(out):
    if out.grad_fn is None:
        return []
    order, seen, stack = [], {out.grad_fn}, [(out.grad_fn, iter(out.grad_fn.next_functions))]
    while stack:
        fn, children = stack[-1]
        for child, _ in children:
            if child is not None and child not in seen:
                seen.add(child)
                stack.append((child, iter(child.next_functions)))
                break
        else:
            stack.pop()
            order.append(fn)
    order.reverse()
    return order
