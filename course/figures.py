"""Draw the curves the lessons compare, and take a figure apart so that a test can inspect it."""

import contextlib
import re
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib import ticker
from matplotlib.collections import PathCollection
from matplotlib.lines import AxLine


class PowerOfTen(ticker.LogFormatterSciNotation):
    """Matplotlib's log-axis labels (10⁻³, 2×10⁻¹) as plain text with superscript digits.

    The stock labels are mathtext, parsed again at every draw: a figure with two log axes
    spends most of its time there. Anything else stays as matplotlib writes it.
    """

    def __call__(self, x, pos=None):
        label = super().__call__(x, pos)
        found = POWER.fullmatch(label)
        if not found:
            return label
        coefficient, exponent = found.group(1), found.group(2).translate(SUPERSCRIPT)
        return f"{coefficient}×10{exponent}" if coefficient else f"10{exponent}"


POWER = re.compile(r"\$\\mathdefault\{(?:([0-9.]+)\\times\s*)?10\^\{(-?[0-9]+)\}\}\$")
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _log_scale(ax, which):
    """Make the Axes' x or y axis logarithmic, labelled by PowerOfTen (as matplotlib labels
    a log axis: only the decades, minor ticks too when the axis spans few decades)."""
    getattr(ax, f"set_{which}scale")("log")
    axis = getattr(ax, f"{which}axis")
    axis.set_major_formatter(PowerOfTen())
    axis.set_minor_formatter(PowerOfTen(labelOnlyBase=False))


def plot_curves(
    curves, ax=None, xlabel="step", ylabel="loss", logy=False, title=None, marker=None, logx=False
):
    """Draw one labelled line per entry of `curves` and return the Axes.

    curves: {label: ys} (drawn against 0, 1, 2, ...) or {label: (xs, ys)}.
    logy: a logarithmic y axis, for losses that shrink (or grow) by orders of magnitude.
    logx: a logarithmic x axis (step sizes from 0.1 down to 1e-13).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for label, values in curves.items():
        xs, ys = values if isinstance(values, tuple) else (range(len(values)), values)
        ax.plot(list(xs), [float(y) for y in ys], marker=marker, label=label)
    for log, which in ((logx, "x"), (logy, "y")):
        if log:
            _log_scale(ax, which)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend()
    return ax


def plot_boundary(model, X, y, ax=None, title=None, steps=150):
    """Colour the plane by `model`'s predicted class and scatter the points (X, y) on top.

    model maps (n, 2) float tensors to (n, classes) logits; it is called in evaluation mode
    under torch.no_grad() and its training flag is left as it was.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    lo, hi = X.min(0).values - 0.2, X.max(0).values + 0.2
    xs, ys = torch.linspace(lo[0], hi[0], steps), torch.linspace(lo[1], hi[1], steps)
    gx, gy = torch.meshgrid(xs, ys, indexing="xy")
    grid = torch.stack([gx.flatten(), gy.flatten()], dim=1).to(X.dtype)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        classes = model(grid).argmax(1).reshape(gx.shape)
    model.train(was_training)
    ax.contourf(gx.numpy(), gy.numpy(), classes.numpy(), alpha=0.25, cmap="viridis")
    ax.scatter(X[:, 0].numpy(), X[:, 1].numpy(), c=y.numpy(), s=8, cmap="viridis")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return ax


@dataclass
class AxesParts:
    """What one Axes shows, in plain tensors and strings.

    scatters: one (n, 2) tensor of (x, y) points per scatter collection.
    lines: one (k, 2) tensor of points per Line2D; an infinite `axline` gives two of its points.
    unbounded: for each line, True when it is an infinite `axline`.
    legend: the legend's texts, or None when neither the Axes nor its Figure has a legend.
    """

    scatters: list
    lines: list
    unbounded: list
    xlabel: str
    ylabel: str
    legend: list | None


def figure_parts(fig):
    """One `AxesParts` per Axes of `fig`, in the figure's order."""
    return [_axes_parts(ax, fig) for ax in fig.axes]


def _axes_parts(ax, fig):
    scatters = [
        torch.as_tensor(np.asarray(c.get_offsets(), dtype=np.float64)).reshape(-1, 2)
        for c in ax.collections
        if isinstance(c, PathCollection)
    ]
    lines = [_line_points(line) for line in ax.lines]
    legends = [ax.get_legend()] if ax.get_legend() is not None else list(fig.legends)
    legend = [t.get_text() for lg in legends for t in lg.get_texts()] if legends else None
    return AxesParts(
        scatters=scatters,
        lines=lines,
        unbounded=[isinstance(line, AxLine) for line in ax.lines],
        xlabel=ax.get_xlabel(),
        ylabel=ax.get_ylabel(),
        legend=legend,
    )


def _line_points(line):
    if isinstance(line, AxLine):
        (x1, y1), xy2 = line.get_xy1(), line.get_xy2()
        x2, y2 = xy2 if xy2 is not None else (x1 + 1, y1 + line.get_slope())
        return torch.tensor([[x1, y1], [x2, y2]], dtype=torch.float64)
    return torch.as_tensor(np.asarray(line.get_xydata(), dtype=np.float64)).reshape(-1, 2)


@contextlib.contextmanager
def count_shows():
    """Record the calls of `plt.show()` made inside the block (nothing is shown meanwhile).

    with count_shows() as shows:
        fig = make_plot()
    len(shows) is the number of calls.
    """
    calls, real_show = [], plt.show

    def recording_show(*args, **kwargs):
        calls.append((args, kwargs))

    plt.show = recording_show
    try:
        yield calls
    finally:
        plt.show = real_show
