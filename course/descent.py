"""Draw gradient descent on a function of one variable."""

import matplotlib.pyplot as plt
import numpy as np


def plot_descent(f, xs, ax=None, title=None, margin=1.0):
    """Draw the curve of f and the path of the iterates xs on it. Returns the Figure.

    f: a function of one variable that accepts a NumPy array (e.g. lambda x: x**2 - 4*x).
    xs: the iterates x_0, x_1, ... (Python floats). The curve spans their range plus `margin`.
    """
    xs = np.asarray(xs, dtype=float)
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(5, 3.5))
    grid = np.linspace(xs.min() - margin, xs.max() + margin, 200)
    ax.plot(grid, f(grid), color="0.6", label="f(x)")
    ax.plot(xs, f(xs), "o-", color="tab:blue", markersize=3, linewidth=1, label="iterates")
    ax.plot(xs[:1], f(xs[:1]), "s", color="tab:green", label=f"start x = {xs[0]:.3g}")
    ax.plot(xs[-1:], f(xs[-1:]), "*", color="tab:red", markersize=12,
            label=f"end x = {xs[-1]:.3g}")  # fmt: skip
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return fig
