# Lists the nodes level by level (breadth-first), so a node reached early by a short path comes before a longer path's nodes that feed it. [hint: breadth-first]
def topo_order(out):
    if out.grad_fn is None:
        return []
    order, seen = [out.grad_fn], {out.grad_fn}
    for fn in order:
        for child, _ in fn.next_functions:
            if child is not None and child not in seen:
                seen.add(child)
                order.append(child)
    return order
