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
from course.graph import draw_graph, graph_nodes

__all__ = [
    "CheckFailure",
    "check",
    "check_members",
    "check_unchanged",
    "draw_graph",
    "expect",
    "fail",
    "fmt",
    "graph_nodes",
    "line_data",
    "regression_batches",
    "snapshot",
]
