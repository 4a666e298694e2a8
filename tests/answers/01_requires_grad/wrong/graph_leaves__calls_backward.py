# Runs backward and keeps the tensors that got a gradient. [hint: must not call backward]
def graph_leaves(out):
    if out.grad_fn is None:
        return [out] if out.requires_grad else []
    leaves, seen, todo = [], set(), [out.grad_fn]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        if hasattr(node, "variable"):
            leaves.append(node.variable)
        todo.extend(child for child, _ in node.next_functions if child is not None)
    out.sum().backward()
    return [leaf for leaf in leaves if leaf.grad is not None]
