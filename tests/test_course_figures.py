"""Curves for the lessons, and the figure inspection the plotting tests rely on."""

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatterSciNotation

from course import count_shows, figure_parts, plot_curves


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_plot_curves_draws_one_labelled_line_per_curve():
    ax = plot_curves({"a": [3.0, 2.0, 1.0], "b": ([1, 2], [torch.tensor(5.0), 4.0])}, logy=True)
    assert [line.get_label() for line in ax.lines] == ["a", "b"]
    assert list(ax.lines[0].get_xdata()) == [0, 1, 2]
    assert list(ax.lines[1].get_ydata()) == [5.0, 4.0]
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "step" and ax.get_ylabel() == "loss"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]


def _labels(ax, formatter=None):
    """{y: label} of the y axis's major and minor ticks, once drawn (optionally by `formatter`
    for both, as a log axis has them), without the unlabelled ones."""
    if formatter:
        ax.yaxis.set_major_formatter(formatter())
        ax.yaxis.set_minor_formatter(formatter(labelOnlyBase=False))
    ax.figure.canvas.draw()
    ticks = [*ax.yaxis.get_major_ticks(), *ax.yaxis.get_minor_ticks()]
    return {round(t.get_loc(), 12): t.label1.get_text() for t in ticks if t.label1.get_text()}


@pytest.mark.parametrize(
    ("low", "high", "plain"),
    [
        (0.02, 0.5, {0.1: "10⁻¹", 0.02: "2×10⁻²", 0.03: "3×10⁻²", 0.2: "2×10⁻¹", 0.4: "4×10⁻¹"}),
        (1e-3, 10.0, {1e-3: "10⁻³", 0.01: "10⁻²", 0.1: "10⁻¹", 1.0: "10⁰", 10.0: "10¹"}),
    ],
    ids=["one-decade", "decades"],
)
def test_log_axes_get_matplotlib_s_labels_in_plain_text(low, high, plain):
    """plot_curves labels log ticks where matplotlib does, with what its mathtext shows."""
    ax = plot_curves({"y": ([1.0, 10.0], [low, high])}, logy=True)
    ax.set_ylim(low, high)
    ours = _labels(ax)
    assert all("$" not in text for text in ours.values())
    assert ours.keys() == _labels(ax, LogFormatterSciNotation).keys()
    assert {y: ours[y] for y in plain} == plain


def test_plot_curves_can_make_the_x_axis_logarithmic():
    ax = plot_curves({"y": ([1e-4, 1.0], [1.0, 2.0])}, logx=True)
    ax.figure.canvas.draw()
    assert ax.get_xscale() == "log" and ax.get_yscale() == "linear"
    assert {"10⁻⁴", "10⁰"} <= {t.get_text() for t in ax.get_xticklabels()}


def test_plot_curves_draws_into_a_given_axes():
    fig, (left, right) = plt.subplots(1, 2)
    assert plot_curves({"t": [1, 2]}, ax=right, xlabel="n", ylabel="ms", title="T") is right
    assert not left.lines and right.get_title() == "T" and right.get_xlabel() == "n"


def test_figure_parts_reads_scatters_lines_labels_and_legend():
    fig, ax = plt.subplots()
    ax.scatter(torch.tensor([0.0, 1.0, 2.0]), torch.tensor([1.0, 0.0, 4.0]), label="data")
    ax.plot([0.0, 2.0], [1.0, 5.0], label="fit")
    ax.set_xlabel("x")
    ax.set_ylabel("z")
    ax.legend()
    (parts,) = figure_parts(fig)
    assert len(parts.scatters) == 1
    assert torch.equal(
        parts.scatters[0], torch.tensor([[0.0, 1.0], [1.0, 0.0], [2.0, 4.0]]).double()
    )
    assert torch.equal(parts.lines[0], torch.tensor([[0.0, 1.0], [2.0, 5.0]]).double())
    assert parts.unbounded == [False]
    assert (parts.xlabel, parts.ylabel, parts.legend) == ("x", "z", ["data", "fit"])


def test_figure_parts_without_legend_and_with_plot_markers():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [2, 3], "o")
    (parts,) = figure_parts(fig)
    assert parts.scatters == [] and len(parts.lines) == 1 and parts.legend is None


def test_figure_parts_gives_two_points_of_an_axline():
    fig, ax = plt.subplots()
    ax.axline((0.0, 1.0), slope=2.0)
    ax.axline((1.0, 1.0), (3.0, 0.0))
    (parts,) = figure_parts(fig)
    assert parts.unbounded == [True, True]
    assert torch.equal(parts.lines[0], torch.tensor([[0.0, 1.0], [1.0, 3.0]]).double())
    assert torch.equal(parts.lines[1], torch.tensor([[1.0, 1.0], [3.0, 0.0]]).double())


def test_figure_parts_sees_a_figure_legend_and_every_axes():
    fig = Figure()
    a, b = fig.subplots(1, 2)
    a.plot([0, 1], [0, 1], label="one")
    fig.legend()
    parts = figure_parts(fig)
    assert len(parts) == 2 and parts[0].legend == ["one"] and parts[1].lines == []


def test_count_shows_records_calls_and_restores_show():
    real = plt.show
    with count_shows() as shows:
        plt.show()
        plt.show(block=False)
    assert len(shows) == 2 and plt.show is real
    with pytest.raises(ValueError), count_shows():
        raise ValueError("the block fails")
    assert plt.show is real


def test_plot_boundary_colours_the_plane_and_keeps_the_training_flag():
    from torch import nn

    from course import plot_boundary, spirals

    X, y = spirals(n_per_class=20)
    model = nn.Sequential(nn.Linear(2, 8), nn.Dropout(0.5), nn.Linear(8, 3))
    model.train()
    ax = plot_boundary(model, X, y, title="start", steps=30)
    assert model.training, "plot_boundary must leave the training flag as it was"
    assert ax.get_title() == "start" and ax.collections, "nothing was drawn"
    (points,) = [p for p in figure_parts(ax.figure)[0].scatters]
    assert points.shape == (60, 2)
    model.eval()
    plot_boundary(model, X, y, steps=30)
    assert not model.training
