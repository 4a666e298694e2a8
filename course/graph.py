"""Walk and draw the backward graph that autograd records."""

import matplotlib.pyplot as plt


def graph_nodes(root):
    """Depth of every node reachable from `root` (a tensor or a grad_fn), and the edges."""
    fn = getattr(root, "grad_fn", root)
    depth, edges, frontier = {fn: 0}, [], [fn]
    while frontier:
        node = frontier.pop(0)
        for child, _ in node.next_functions:
            if child is None:
                continue
            edges.append((node, child))
            if child not in depth:
                depth[child] = depth[node] + 1
                frontier.append(child)
    return depth, edges


def node_label(node, names):
    """`AccumulateGrad` nodes show the leaf they fill; the others their class name."""
    leaf = getattr(node, "variable", None)
    if leaf is None:
        return type(node).__name__
    name = next((k for k, v in names.items() if v is leaf), "leaf")
    return f"{name}\n{tuple(leaf.shape)}"


def draw_graph(root, names=None, ax=None, title=None):
    """Draw the backward graph of `root`: the output on top, the leaves below.

    names: {"w": w, ...} labels the leaf tensors. Returns the Figure.
    """
    if root.grad_fn is None:
        raise ValueError("this tensor has no grad_fn: nothing was recorded (does it require grad?)")
    names = names or {}
    depth, edges = graph_nodes(root)
    levels = {}
    for node, d in depth.items():
        levels.setdefault(d, []).append(node)
    pos = {}
    for d, nodes in levels.items():
        for i, node in enumerate(nodes):
            pos[node] = ((i + 1) / (len(nodes) + 1), -d)
    fig, ax = (
        (ax.figure, ax) if ax is not None else plt.subplots(figsize=(6, 1.2 + 1.1 * len(levels)))
    )
    for parent, child in edges:
        ax.annotate(
            "",
            xy=pos[child],
            xytext=pos[parent],
            arrowprops={"arrowstyle": "->", "color": "0.5", "shrinkA": 14, "shrinkB": 14},
        )
    for node, (x, y) in pos.items():
        leaf = hasattr(node, "variable")
        ax.text(
            x,
            y,
            node_label(node, names),
            ha="center",
            va="center",
            fontsize=9,
            bbox={"boxstyle": "round", "fc": "#d9ead3" if leaf else "#dde6f5", "ec": "0.4"},
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(-max(levels) - 0.5, 0.5)
    ax.axis("off")
    ax.set_title(title or "backward graph: gradients flow from the top to the leaves (green)")
    return fig
