# Never remembers visited nodes, so a reused leaf is listed once per use. [hint: visited]
def graph_leaves(out):
    if out.grad_fn is None:
        return [out] if out.requires_grad else []
    leaves, todo = [], [out.grad_fn]
    while todo:
        node = todo.pop()
        if hasattr(node, "variable"):
            leaves.append(node.variable)
        todo.extend(child for child, _ in node.next_functions if child is not None)
    return leaves
