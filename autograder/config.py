"""The course, as nbgrader configures it, and the autograder's own settings (c.Autograder)."""

import difflib
import logging
import os
import sys
from pathlib import Path

from traitlets import CaselessStrEnum, Float, Integer, List, Unicode
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
        300,
        help="Seconds one notebook may run, kernel start included. At the limit its kernel "
        "is killed: the cells that ran keep their scores, the others score zero.",
    ).tag(config=True)
    workers = Integer(0, help="Notebooks graded at once; 0: one per CPU core.").tag(config=True)
    cluster = Unicode(
        "",
        help="Address of a Dask scheduler (tcp://HOST:PORT) whose workers run the notebooks, "
        "each with its own zygote and sandbox; the gradebook stays here. Empty: this machine.",
    ).tag(config=True)
    course_package = Unicode(
        "course",
        help="The course's helper package, which the notebooks import: the scan allows it "
        "(and `from it import *`), the guard watches every value of its modules.",
    ).tag(config=True)
    allowed_modules = List(
        Unicode(),
        [
            "__future__", "abc", "bisect", "cmath", "collections", "contextlib", "copy",
            "dataclasses", "datetime", "decimal", "enum", "fractions", "functools", "heapq",
            "itertools", "json", "math", "matplotlib", "numbers", "numpy", "operator", "pprint",
            "random", "re", "statistics", "string", "textwrap", "time", "torch", "typing",
            "warnings",
        ],
        help="Top-level modules a student's cell may import without a flag (scan.py), besides "
        "course_package. The standard library alone has dozens that run strings as code, "
        "read files or reach the interpreter (timeit, runpy, sqlite3, unittest.mock, ...).",
    ).tag(config=True)  # fmt: skip
    watched_modules = List(
        Unicode(),
        [
            "builtins", "math", "operator", "numpy", "numpy.testing", "torch", "torch.autograd",
            "torch.autograd.functional", "torch.func", "torch.nn", "torch.nn.functional",
            "torch.testing",
        ],
        help="Modules whose functions the tests rely on, directly or through the course's "
        "checks: the guard in each kernel (guard.py) refuses every cell once one of them, or "
        "its sys.modules entry, was replaced.",
    ).tag(config=True)  # fmt: skip
    preload = List(
        Unicode(),
        help="Modules the kernels import on first use (torch.optim's torch._dynamo), not in "
        "an import statement of the source notebooks (those are preloaded first, found "
        "automatically): the pre-warmed kernel imports them once it is idle, so that one "
        "student's regrade does not wait for them.",
    ).tag(config=True)
    collect_pattern = Unicode(
        LMS_PATTERN,
        help="Regular expression for the file names in an LMS download (collect): group "
        "'student_id', optional group 'notebook' (the notebook the file is).",
    ).tag(config=True)

    max_notebook_mb = Float(
        20,
        help="Megabytes a submitted notebook may have. A larger one (outputs left in, data "
        "pasted into it) fails with that reason before it is parsed.",
    ).tag(config=True)

    sandbox = CaselessStrEnum(
        ["require", "auto", "off"],
        "require",
        help="Run each submission in the bubblewrap sandbox (sandbox.py). require: refuse to "
        "grade where it cannot start, saying why and how to fix it; auto: grade unsandboxed "
        "after a warning there; off: trusted code only (as `grade --unsandboxed`).",
    ).tag(config=True)
    memory_mb = Integer(
        4096, help="Address space one kernel may map, in MB (torch alone maps about 1.5 GB)."
    ).tag(config=True)
    max_processes = Integer(
        32,
        help="Processes and threads one kernel may run. A kernel needs 11 (7 Python threads, "
        "zmq's and one torch thread): 32 leaves room for a subprocess or two, not a fork bomb.",
    ).tag(config=True)
    file_mb = Integer(64, help="Largest file one kernel may write, in MB.").tag(config=True)
    open_files = Integer(1024, help="Files one kernel may hold open.").tag(config=True)
    work_mb = Integer(
        512, help="Room for the kernels' working folders, all together, in MB (memory)."
    ).tag(config=True)
    output_mb = Integer(
        32, help="Output one notebook may send (prints, plots), in MB; then it is stopped."
    ).tag(config=True)

    def limits(self):
        """What the sandbox applies to each kernel (sandbox.py)."""
        return {
            "memory_mb": self.memory_mb,
            "processes": self.max_processes,
            "file_mb": self.file_mb,
            "open_files": self.open_files,
            "work_mb": self.work_mb,
        }

    def guard_policy(self):
        """What the guard in each kernel watches (guard.install's keywords): JSON-ready."""
        return {"watched": list(self.watched_modules), "own": self.course_package}

    def values(self):
        """{trait: value} of every setting: plain data, for Autograder(**values) elsewhere."""
        return {name: getattr(self, name) for name in self.trait_names(config=True)}

    def worker_count(self):
        return self.workers or len(os.sched_getaffinity(0))


def zip_collect_regexp(config):
    """Stock `nbgrader zip_collect`'s named_regexp for the config's c.Autograder.collect_pattern.

    zip_collect matches the whole path in the zip and calls the notebook group file_id.
    """
    pattern = Autograder(config=config).collect_pattern
    return r"(?:.*/)?" + pattern.replace("(?P<notebook>", "(?P<file_id>") + "$"


def venv_path(rest=None):
    """PATH with this Python's bin/ first (`rest`: what follows; default: os.environ's PATH).

    nbgrader runs `alembic` from PATH when it creates a gradebook, kernel specs run `python`.
    """
    rest = os.environ.get("PATH", "") if rest is None else rest
    return os.pathsep.join(filter(None, [os.path.dirname(sys.executable), rest]))


def gradebook(coursedir):
    """The course's gradebook, to open in a `with` statement."""
    from nbgrader.api import Gradebook

    return Gradebook(coursedir.db_url, coursedir.course_id)


def generate_first(assignment):
    return f"run `nbgrader generate_assignment {assignment}` first"


def released(coursedir):
    """The names of the gradebook's assignments (grade --all), or a UsageError if none."""
    with gradebook(coursedir) as gb:
        names = sorted(a.name for a in gb.assignments)
    if not names:
        raise UsageError(f"no assignment is released yet: {generate_first('ID')}")
    return names


def find_assignment(gb, coursedir, assignment):
    """The gradebook's assignment, or a UsageError that says what the instructor meant."""
    from nbgrader.api import MissingEntry

    try:
        return gb.find_assignment(assignment)
    except MissingEntry:
        pass
    source = Path(coursedir.root, coursedir.source_directory)
    if (source / assignment).is_dir():
        raise UsageError(
            f"{assignment} is not in the gradebook ({coursedir.db_url}): "
            + generate_first(assignment)
        )
    known = {a.name for a in gb.assignments}
    known |= {p.name for p in source.iterdir() if p.is_dir()} if source.is_dir() else set()
    close = difflib.get_close_matches(assignment, sorted(known), n=1)
    listed = ", ".join(sorted(known)) or "none"
    raise UsageError(
        f"no assignment {assignment!r} in this course (it has: {listed})"
        + (f"; did you mean {close[0]}?" if close else "")
    )


def check_course(course):
    """A course root holds nbgrader_config.py: refuse anywhere else, before creating anything."""
    if not Path(course).is_dir():
        raise UsageError(f"no course directory {course}: run in the course root or pass --course")
    if not Path(course, "nbgrader_config.py").is_file():
        raise UsageError(
            f"{os.path.abspath(course)} has no nbgrader_config.py, so it is no nbgrader course: "
            "run in the course root (where nbgrader_config.py is) or pass --course DIR"
        )


def load(course):
    """(nbgrader app, Autograder settings) for the course at `course`, which becomes the cwd.

    nbgrader reads nbgrader_config.py from the working directory, as `nbgrader` would.
    """
    os.chdir(course)
    from nbgrader.apps.autogradeapp import AutogradeApp

    app = AutogradeApp()
    app.initialize([])
    return app, Autograder(parent=app)


def settings_of(course):
    """The c.Autograder settings alone, without loading nbgrader (which takes a second)."""
    from traitlets.config.loader import PyFileConfigLoader

    path = os.path.join(course, "nbgrader_config.py")
    config = PyFileConfigLoader(path).load_config() if os.path.exists(path) else None
    return Autograder(config=config)


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
