# Right: a recursive walk that keeps the leaves in a dict keyed by id.
def graph_leaves(out):
    if out.grad_fn is None:
        return [out] if out.requires_grad else []
    found, seen = {}, set()

    def visit(node):
        if node is None or node in seen:
            return
        seen.add(node)
        if hasattr(node, "variable"):
            found[id(node.variable)] = node.variable
        for child, _ in node.next_functions:
            visit(child)

    visit(out.grad_fn)
    return list(found.values())
