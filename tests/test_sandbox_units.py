"""The sandbox's choices without starting it: what it shows, when it refuses, what it says."""

from pathlib import Path

import pytest
from coursekit import ROOT

from autograder import sandbox
from autograder.config import Autograder, UsageError


def bound(args):
    return [Path(args[i + 1]) for i, a in enumerate(args) if a == "--ro-bind"]


def test_binds_show_the_python_environment_and_hide_the_course():
    shown = bound(sandbox.binds(["course"]))
    visible = lambda path: any(path == b or b in path.parents for b in shown)  # noqa: E731
    assert visible(ROOT / "course" / "checks.py") and visible(ROOT / "autograder" / "guard.py")
    for secret in ("source", "release", "tests", "nbgrader_config.py", "gradebook.db"):
        assert not visible(ROOT / secret), f"{secret} is visible in the sandbox: {shown}"
    assert Path("/") not in shown and Path("/tmp") not in shown


def test_off_and_require(monkeypatch, capsys):
    monkeypatch.setattr(sandbox, "probe", lambda: "no bubblewrap here")
    assert sandbox.choose(Autograder(sandbox="auto")) is None
    assert "grading UNSANDBOXED (no bubblewrap here)" in capsys.readouterr().err
    with pytest.raises(UsageError, match="no bubblewrap here"):
        sandbox.choose(Autograder(sandbox="require"))
    monkeypatch.setattr(sandbox, "probe", lambda: None)
    limits = sandbox.choose(Autograder(sandbox="auto", memory_mb=1000))
    assert limits["memory_mb"] == 1000 and "on (bubblewrap" in sandbox.describe(limits)
    assert sandbox.choose(Autograder(sandbox="off")) is None
    assert "'off'" in capsys.readouterr().err
    assert "OFF" in sandbox.describe(None)
