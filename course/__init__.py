"""Helpers for the autograd course: one import in every notebook, `from course import ...`."""

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
from course.data import line_data, regression_batches
from course.descent import plot_descent
from course.graph import draw_graph, graph_nodes
from course.saved import SavedTensorUse, saved_tensor_use

__all__ = [
    "CheckFailure",
    "SavedTensorUse",
    "check",
    "check_members",
    "check_unchanged",
    "draw_graph",
    "expect",
    "fail",
    "fmt",
    "graph_nodes",
    "line_data",
    "plot_descent",
    "regression_batches",
    "saved_tensor_use",
    "snapshot",
]
