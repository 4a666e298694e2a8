# Keeps the None entries of next_functions, which stand for inputs that need no gradient, as if they were nodes. [hint: None]
def topo_order(out):
    if out.grad_fn is None:
        return []
    parents, todo = {out.grad_fn: 0}, [out.grad_fn]
    while todo:
        fn = todo.pop()
        if fn is None:
            continue
        for child, _ in fn.next_functions:
            if child not in parents:
                parents[child] = 0
                todo.append(child)
            parents[child] += 1
    order, ready = [], [out.grad_fn]
    while ready:
        fn = ready.pop()
        order.append(fn)
        for child, _ in fn.next_functions if fn is not None else ():
            parents[child] -= 1
            if parents[child] == 0:
                ready.append(child)
    return order
