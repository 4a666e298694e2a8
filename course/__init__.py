"""Helpers for the autograd course: one import in every notebook, `from course import ...`."""

from course import notices
from course.checks import (
    CheckFailure,
    check,
    check_members,
    check_unchanged,
    expect,
    fail,
    fmt,
    snapshot,
)
from course.data import line_data, regression_batches, spirals
from course.descent import plot_descent
from course.figures import AxesParts, count_shows, figure_parts, plot_boundary, plot_curves
from course.graph import draw_graph, graph_nodes
from course.saved import SavedTensorUse, saved_tensor_use
from course.timing import best_time

notices.install()  # warnings become notes on stdout: stderr costs a test cell its points

__all__ = [
    "AxesParts",
    "CheckFailure",
    "SavedTensorUse",
    "best_time",
    "check",
    "check_members",
    "check_unchanged",
    "count_shows",
    "draw_graph",
    "expect",
    "fail",
    "figure_parts",
    "fmt",
    "graph_nodes",
    "line_data",
    "notices",
    "plot_boundary",
    "plot_curves",
    "plot_descent",
    "regression_batches",
    "saved_tensor_use",
    "snapshot",
    "spirals",
]
