# Collects the AccumulateGrad nodes, not the tensors they hold. [hint: .variable]
def graph_leaves(out):
    if out.grad_fn is None:
        return [out] if out.requires_grad else []
    found, seen, todo = [], set(), [out.grad_fn]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        if type(node).__name__ == "AccumulateGrad":
            found.append(node)
        todo.extend(child for child, _ in node.next_functions if child is not None)
    return found
