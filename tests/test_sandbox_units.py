"""The sandbox's choices without starting it: what it hides, when it refuses, what it says."""

import os

import pytest

from autograder import sandbox
from autograder.config import Autograder, UsageError


def test_binds_show_the_python_environment_and_hide_the_course():
    args = sandbox.binds(["course"])
    bound = {args[i + 1] for i, a in enumerate(args) if a == "--ro-bind"}
    root = os.path.dirname(os.path.dirname(os.path.abspath(sandbox.__file__)))
    assert os.path.realpath(os.path.join(root, "course")) in bound or any(
        root.startswith(b + "/") for b in bound
    ), "the course package must be importable in the sandbox"
    hidden = [os.path.join(root, name) for name in ("source", "release", "tests")]
    assert not any(h == b or h.startswith(b + "/") for h in hidden for b in bound), bound
    assert "/" not in bound and "/tmp" not in bound


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
