"""nbgrader configuration of the course: stock nbgrader and `python -m autograder` read it."""

from autograder.config import LMS_PATTERN

c = get_config()  # noqa: F821  (injected by traitlets)

c.CourseDirectory.course_id = "autograd-by-doing"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"
# Lesson data and pictures live next to the notebooks; checkpoints never ship.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

# What a student sees in place of a solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Before nbgrader compares each test cell with the gradebook's: a test cell left as released
# gets its hidden tests back in silence, so nbgrader warns only for cells really edited.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "autograder.preprocessors.RestoreHiddenTests",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Grading: a course notebook runs in seconds; these bound a runaway submission.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True

# python -m autograder (grade, collect, report): the course's fast autograder. It grades like
# `nbgrader autograde` with the settings above, and reads these of its own.
# Seconds a cell may run before it is interrupted and scores zero; None: c.Execute.timeout.
c.Autograder.cell_timeout = None
# Seconds a whole notebook may run, kernel start included; its kernel is then killed, the
# cells that ran keep their scores and the others score zero.
c.Autograder.notebook_timeout = 300
# Notebooks graded at once; 0: one per CPU core.
c.Autograder.workers = 0
# Modules the pre-warmed kernel imports besides those the notebooks import themselves:
# torch.optim and torch.func import torch._dynamo (800 modules, 0.6 s) on first use.
c.Autograder.preload = ["torch._dynamo"]
# LMS download file names (Canvas: doejane_12345_67890_requires_grad-1.ipynb): the student
# id, then the notebook name. `python -m autograder collect` and stock `nbgrader zip_collect`
# (which matches the whole path and calls the notebook file_id) both read them.
# c.Autograder.collect_pattern defaults to LMS_PATTERN; to change it, set both here.
c.FileNameCollectorPlugin.named_regexp = (
    r"(?:.*/)?" + LMS_PATTERN.replace("(?P<notebook>", "(?P<file_id>") + "$"
)
# Every submission runs in the bubblewrap sandbox, and grading refuses where it cannot start
# (`python -m autograder doctor` says why and how to fix it). For trusted code only:
# `grade --unsandboxed`, or c.Autograder.sandbox = "off".
