# Reverses a depth-first post-order but never remembers visited nodes, so a shared node is listed once per path. [hint: more than once]
def topo_order(out):
    if out.grad_fn is None:
        return []
    order, stack = [], [(out.grad_fn, False)]
    while stack:
        fn, expanded = stack.pop()
        if expanded:
            order.append(fn)
            continue
        stack.append((fn, True))
        stack.extend((child, False) for child, _ in fn.next_functions if child is not None)
    return order[::-1]
