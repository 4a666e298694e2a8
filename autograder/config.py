"""The course, as nbgrader configures it, and the autograder's own settings (c.Autograder)."""

import logging
import os

from traitlets import Integer, List, Unicode
from traitlets.config import LoggingConfigurable

# LMS downloads name files like "doejane_12345_67890_requires_grad-1.ipynb" (Canvas)
# or "doejane_requires_grad.ipynb": the student id, ids or "late", the notebook name.
LMS_PATTERN = r"(?P<student_id>[^_/]+)_(?:late_)?(?:\d+_)*(?P<notebook>[^/]+?)(?:-\d+)?\.ipynb"


class UsageError(Exception):
    """A mistake in how the autograder was called or configured: say what to do instead."""


class Autograder(LoggingConfigurable):
    cell_timeout = Integer(
        None,
        allow_none=True,
        help="Seconds one cell may run before it is interrupted and scored like an error. "
        "None: c.Execute.timeout, the limit stock `nbgrader autograde` uses.",
    ).tag(config=True)
    notebook_timeout = Integer(
        600,
        help="Seconds one notebook may run, kernel start included. At the limit its kernel "
        "is killed: the cells that ran keep their scores, the others score zero.",
    ).tag(config=True)
    workers = Integer(0, help="Notebooks graded at once; 0: one per CPU core.").tag(config=True)
    preload = List(
        Unicode(),
        help="Modules the pre-warmed kernel imports besides those the assignment's "
        "source notebooks import (found automatically).",
    ).tag(config=True)
    collect_pattern = Unicode(
        LMS_PATTERN,
        help="Regular expression for the file names in an LMS download (collect): group "
        "'student_id', optional group 'notebook' (the notebook the file is).",
    ).tag(config=True)

    def worker_count(self):
        return self.workers or len(os.sched_getaffinity(0))


def load(course):
    """(nbgrader app, Autograder settings) for the course at `course`, which becomes the cwd.

    nbgrader reads nbgrader_config.py from the working directory, as `nbgrader` would.
    """
    os.chdir(course)
    from nbgrader.apps.autogradeapp import AutogradeApp

    app = AutogradeApp()
    app.initialize([])
    return app, Autograder(parent=app)


def log_to(app, path):
    """Send nbgrader's log to a file: the terminal shows progress and the summary."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for handler in list(app.log.handlers):
        app.log.removeHandler(handler)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    app.log.addHandler(handler)
    app.log.setLevel(logging.INFO)
    app.log.propagate = False
