# Forgets that a leaf (or an untracked tensor) has no grad_fn to walk. [hint: no graph to walk]
def graph_leaves(out):
    leaves, seen, todo = [], set(), [out.grad_fn]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        if hasattr(node, "variable"):
            leaves.append(node.variable)
        todo.extend(child for child, _ in node.next_functions if child is not None)
    return leaves
