"""nbgrader configuration of the course: stock nbgrader and `python -m autograder` read it."""

from autograder.config import zip_collect_regexp

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
# `nbgrader autograde` with the settings above; its own are c.Autograder.*, each stated with its
# default and help in autograder/config.py. Set here only what this course does differently.
# A chapter that imports a new library extends the scan's and the guard's lists, for example
# c.Autograder.allowed_modules.extend(["scipy"]) and c.Autograder.watched_modules.extend(["scipy"]).
# Modules the pre-warmed kernel imports besides those the notebooks import themselves:
# torch.optim and torch.func import torch._dynamo (800 modules, 0.6 s) on first use, and
# torch.func.jacfwd / jvp (chapters 5 and 7) the decompositions of forward mode (0.13 s).
c.Autograder.preload = ["torch._dynamo", "torch._decomp.decompositions_for_jvp"]
# LMS download file names: c.Autograder.collect_pattern (Canvas's by default). Set it above
# this line: stock `nbgrader zip_collect` gets the same pattern from it.
c.FileNameCollectorPlugin.named_regexp = zip_collect_regexp(c)
# Every submission runs in the bubblewrap sandbox, and grading refuses where it cannot start
# (`python -m autograder doctor` says why and how to fix it). For trusted code only:
# `grade --unsandboxed`, or c.Autograder.sandbox = "off".
