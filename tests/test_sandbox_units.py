"""The sandbox's choices without starting it: what it shows, when it refuses, what it says."""

import os
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
    assert limits["memory_mb"] == 1000 and limits["mode"] in ("root", "rootless")
    assert f"on ({limits['mode']} bubblewrap; per kernel 1000 MB" in sandbox.describe(limits)
    assert sandbox.choose(Autograder(sandbox="off")) is None
    assert "'off'" in capsys.readouterr().err
    assert "OFF" in sandbox.describe(None)


def test_require_is_the_default_and_its_refusal_says_how_to_grade_anyway(monkeypatch):
    monkeypatch.setattr(sandbox, "probe", lambda: "bubblewrap is not installed")
    assert Autograder().sandbox == "require"
    with pytest.raises(UsageError, match="--unsandboxed"):
        sandbox.choose(Autograder())


def test_no_secret_of_the_grader_reaches_a_kernel():
    env = {
        "PATH": "/usr/bin",
        "LANG": "C.UTF-8",
        "LC_ALL": "C",
        "HOME": "/home/ta",
        "JUPYTERHUB_API_TOKEN": "t",
        "PGPASSWORD": "p",
        "PGHOST": "db",
        "DATABASE_URL": "postgres://",
        "MY_SECRET": "s",
        "GITHUB_TOKEN": "g",
        "AWS_SECRET_ACCESS_KEY": "k",
        "SSH_AUTH_SOCK": "/run/agent",
        "PYTHONPATH": "/opt/lib",
    }
    assert sandbox.clean_env(env) == {
        "PATH": "/usr/bin",
        "LANG": "C.UTF-8",
        "LC_ALL": "C",
        "HOME": "/home/ta",
        "PYTHONPATH": "/opt/lib",
    }


@pytest.mark.parametrize(
    ("files", "env", "words"),
    [
        ({"/proc/sys/kernel/unprivileged_userns_clone": "0"}, {}, "sysctl -w"),
        (
            {"/proc/sys/kernel/apparmor_restrict_unprivileged_userns": "1"},
            {},
            "bwrap-userns-restrict",
        ),
        ({}, {"KUBERNETES_SERVICE_HOST": "10.0.0.1"}, "seccomp=unconfined"),
        ({}, {}, "cannot create namespaces here: boom"),
    ],
)
def test_each_refusal_names_its_fix(monkeypatch, files, env, words):
    monkeypatch.setattr(sandbox, "_read", files.get)
    monkeypatch.setattr(sandbox, "mode", lambda: "rootless")
    monkeypatch.setattr(sandbox.os.path, "exists", lambda path: False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert words in sandbox.why_bwrap_fails("boom")


def test_links_are_never_read_through(tmp_path):
    (tmp_path / "data.csv").write_text("1,2\n")
    (tmp_path / "answers.ipynb").symlink_to("/etc/passwd")
    (tmp_path / "course").symlink_to(ROOT / "source")
    assert sandbox.links(tmp_path) == {
        "answers.ipynb": "/etc/passwd",
        "course": str(ROOT / "source"),
    }
    assert sorted(sandbox.read_files(tmp_path, 1 << 20)) == ["data.csv"]


def test_cgroups_of_a_killed_grader_are_swept(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "CGROUP_ROOT", str(tmp_path))
    gone, alive = (
        tmp_path / "pids" / "autograder-999999999",
        tmp_path / "pids" / f"autograder-{os.getpid()}",
    )
    for folder in (gone / "k1", alive / "k1", tmp_path / "pids" / "user.slice"):
        folder.mkdir(parents=True)
    sandbox.sweep_cgroups(["pids"])
    assert (
        not gone.exists()
        and (alive / "k1").exists()
        and (tmp_path / "pids" / "user.slice").exists()
    )


def test_a_dead_kernels_own_log_is_kept_unless_the_student_replaced_it(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "WORK", str(tmp_path))
    secret = tmp_path / "secret"
    secret.write_text("the grader's secret\n")
    for kernel_id, make in enumerate(
        [
            lambda path: path.write_bytes(b"x" * 70000 + b"Traceback: why it died\n"),
            lambda path: path.symlink_to(secret),
            lambda path: os.link(secret, path),
            lambda path: path.mkdir(),
        ]
    ):
        (tmp_path / f"k{kernel_id}").mkdir()
        make(tmp_path / f"k{kernel_id}" / ".kernel.log")
        kept = tmp_path / f"kept{kernel_id}.log"
        sandbox.keep_log(kernel_id, str(kept))
        if kernel_id == 0:
            assert kept.read_bytes().endswith(b"why it died\n") and kept.stat().st_size == 1 << 16
        else:
            assert not kept.exists(), "a link or a folder was read"


@pytest.mark.parametrize("kind", ["v2", "memory"])
def test_a_kernel_s_memory_cgroup_leaves_room_above_its_address_space(kind):
    """RLIMIT_AS gives a memory bomb its MemoryError before the cgroup fills (CI: a cgroup of
    exactly memory_mb thrashed a kernel for 5.6 CPU seconds until its cell timed out)."""
    limits = {"memory_mb": 2048, "processes": 32}
    settings = sandbox.cgroup_settings(kind, limits)
    memory = settings.get("memory.max") or settings["memory.limit_in_bytes"]
    assert memory == (2048 + sandbox.CGROUP_HEADROOM_MB) << 20
    assert sandbox.CGROUP_HEADROOM_MB >= 512
    assert sandbox.cgroup_settings("pids", limits) == {"pids.max": 32}
