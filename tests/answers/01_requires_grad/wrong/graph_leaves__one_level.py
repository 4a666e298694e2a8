# Looks only at the output's direct inputs, not down to the leaves. [hint: all the way down]
def graph_leaves(out):
    if out.grad_fn is None:
        return [out] if out.requires_grad else []
    return [fn.variable for fn, _ in out.grad_fn.next_functions if hasattr(fn, "variable")]
