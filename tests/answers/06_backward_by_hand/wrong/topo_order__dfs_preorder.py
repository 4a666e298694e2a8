# Lists the nodes in the order a depth-first walk first reaches them, which can put a node before one that feeds it. [hint: depth-first]
def topo_order(out):
    if out.grad_fn is None:
        return []
    order, seen, stack = [], set(), [out.grad_fn]
    while stack:
        fn = stack.pop()
        if fn in seen:
            continue
        seen.add(fn)
        order.append(fn)
        stack.extend(child for child, _ in fn.next_functions if child is not None)
    return order
