# Orders the nodes with a recursive depth-first walk, like micrograd's build_topo: deep graphs hit the recursion limit. [hint: recursion]
def topo_order(out):
    order, seen = [], set()

    def visit(fn):
        if fn in seen:
            return
        seen.add(fn)
        for child, _ in fn.next_functions:
            if child is not None:
                visit(child)
        order.append(fn)

    if out.grad_fn is None:
        return []
    visit(out.grad_fn)
    return order[::-1]
