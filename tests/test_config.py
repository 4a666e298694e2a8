"""One home for each shared fact: the course's settings, the gradebook, PATH, cell metadata."""

import os
import re
import subprocess
import sys
from types import SimpleNamespace

import nbformat
import pytest
from coursekit import ROOT
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from autograder import guard
from autograder.cells import exercise_of, nbgrader_meta
from autograder.config import (
    Autograder,
    UsageError,
    gradebook,
    released,
    venv_path,
    zip_collect_regexp,
)


def test_nbgrader_config_states_only_what_differs_from_the_defaults():
    """A restated default is a second statement of it, free to drift from config.py's."""
    config = PyFileConfigLoader(str(ROOT / "nbgrader_config.py")).load_config()
    defaults = Autograder()
    restated = [k for k, v in config.Autograder.items() if getattr(defaults, k) == v]
    assert restated == [], f"c.Autograder.{restated} restate config.py's defaults"


def test_zip_collect_follows_the_configured_collect_pattern():
    named = re.compile(zip_collect_regexp(Config()))
    match = named.match("submissions/doejane_12_34_requires_grad-1.ipynb")
    assert match.groupdict() == {"student_id": "doejane", "file_id": "requires_grad"}
    config = Config()
    config.Autograder.collect_pattern = r"(?P<student_id>\w+)--(?P<notebook>\w+)\.ipynb"
    named = re.compile(zip_collect_regexp(config))
    assert named.match("a/ann--part1.ipynb").groupdict() == {
        "student_id": "ann",
        "file_id": "part1",
    }
    assert not named.match("a/doejane_12_34_requires_grad.ipynb")


def test_venv_path_puts_this_pythons_bin_first():
    here = os.path.dirname(sys.executable)
    assert venv_path("/usr/bin:/bin") == f"{here}:/usr/bin:/bin"
    assert venv_path("") == here  # not "bin:", whose empty entry would mean the working folder
    assert venv_path().split(os.pathsep)[0] == here


def test_released_names_the_gradebooks_assignments_or_says_to_generate(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", venv_path())  # a new gradebook runs alembic
    coursedir = SimpleNamespace(db_url=f"sqlite:///{tmp_path / 'gradebook.db'}", course_id="c")
    with pytest.raises(UsageError, match=r"run `nbgrader generate_assignment ID` first"):
        released(coursedir)
    with gradebook(coursedir) as gb:
        gb.add_assignment("02_backward")
        gb.add_assignment("01_requires_grad")
    assert released(coursedir) == ["01_requires_grad", "02_backward"]


def test_cell_metadata_reads_as_nbgrader_wrote_it_or_empty():
    cell = nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": {"grade_id": "f"}})
    nbgrader_meta(cell)["points"] = 1  # the dict itself: edits stick
    assert cell.metadata.nbgrader == {"grade_id": "f", "points": 1}
    assert nbgrader_meta(nbformat.v4.new_code_cell("x = 1")) == {}
    assert nbgrader_meta(nbformat.v4.new_code_cell("", metadata={"nbgrader": "junk"})) == {}


@pytest.mark.parametrize(
    "grade_id, exercise",
    [
        ("test_fit_line", "fit_line"),
        ("test_fit_line__hidden", "fit_line"),
        ("sgd_step_", "sgd_step_"),
    ],
)
def test_exercise_of(grade_id, exercise):
    assert exercise_of(grade_id) == exercise


def test_the_guard_watches_the_configured_modules_and_package():
    policy = Autograder(watched_modules=["json"], course_package="autograder").guard_policy()
    watching = guard.Guard(SimpleNamespace(shell=None), **policy)._names()
    assert "json" in watching and "math" not in watching
    assert "autograder.guard" in watching and "course" not in watching
    assert ("torch.Tensor" in watching) == ("torch" in sys.modules)  # a course without torch
    assert guard.library_object(guard.install, "autograder")
    assert not guard.library_object(guard.install, "course")


def test_bench_imports_nothing_from_tests(tmp_path):
    """make bench runs in a student copy too, which has no tests/."""
    check = "import sys, autograder.bench; assert 'coursekit' not in sys.modules, 'coursekit'"
    run = [sys.executable, "-c", check]
    proc = subprocess.run(run, cwd=tmp_path, text=True, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
