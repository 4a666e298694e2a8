# Right: Kahn's algorithm with a first-in first-out queue and counts of distinct parents.
from collections import deque


def topo_order(out):
    root = out.grad_fn
    if root is None:
        return []
    parents, queue = {root: set()}, deque([root])
    while queue:
        fn = queue.popleft()
        for child, _ in fn.next_functions:
            if child is None:
                continue
            if child not in parents:
                parents[child] = set()
                queue.append(child)
            parents[child].add(fn)
    order, ready = [], deque([root])
    while ready:
        fn = ready.popleft()
        order.append(fn)
        for child in dict.fromkeys(c for c, _ in fn.next_functions if c is not None):
            parents[child].discard(fn)
            if not parents[child]:
                ready.append(child)
    return order
