# Looks only at the output's direct inputs instead of walking down to the leaves.
def graph_leaves(out):
    if out.grad_fn is None:
        return [out] if out.requires_grad else []
    return [fn.variable for fn, _ in out.grad_fn.next_functions if hasattr(fn, "variable")]
