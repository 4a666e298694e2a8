"""`python -m autograder grade --cluster`: a real Dask scheduler and two workers on 127.0.0.1.

Each worker has a local directory of its own, as two machines would: the submissions and
their files travel to them, results come back, and the gradebook is written here only.
test_graders.py grades the whole answer catalogue through such a cluster, and
test_attacks.py a part of the attack catalogue; this file loses a worker midway, kills the
coordinator and resumes it, and checks that nothing of the cluster outlives its test.
"""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from coursekit import (
    autograder,
    by_exercise,
    generate_release,
    make_course,
    reference_answers,
    scores,
    submit,
    venv_env,
)

from autograder import ledger
from autograder.cluster import Processes

CH1 = "01_requires_grad"
FULL = {"make_param": 2, "blitz_grad": 2, "graph_leaves": 2}
STUDENTS = [f"student-{i:02d}" for i in range(6)]
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("cluster")]


def class_course(root):
    course = make_course(root / "course", [CH1])
    generate_release(course, CH1)
    for student in STUDENTS:
        submit(course, CH1, student, reference_answers(CH1))
    return course


def records_of(course):
    """Every ledger record, in order."""
    path = ledger.Ledger(course, CH1).path
    lines = path.read_text().splitlines() if path.exists() else []
    return [json.loads(line) for line in lines]


def start_grading(course, address):
    return subprocess.Popen(
        [sys.executable, "-m", "autograder", "grade", CH1, "--cluster", address],
        cwd=course,
        env=venv_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_records(course, count, proc, timeout=180):
    deadline = time.monotonic() + timeout
    while len(records_of(course)) < count:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, f"no {count} records in {timeout} s"
        time.sleep(0.1)


def assert_all_graded_in_full(course):
    for student in STUDENTS:
        per_cell = scores(course, CH1)[student]
        assert {ex: s for ex, (s, _) in by_exercise(per_cell).items()} == FULL, student


def test_a_worker_lost_midway_loses_nothing_and_grades_nothing_twice(tmp_path):
    course = class_course(tmp_path)
    with Processes(tmp_path / "cluster", workers=2, env=venv_env()) as cluster:
        proc = start_grading(course, cluster.address)
        wait_for_records(course, 1, proc)
        cluster.kill_worker(0)
        at_kill = len(records_of(course))
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, out + err
    assert at_kill < len(STUDENTS), "the worker was lost after the batch: not midway"
    records = records_of(course)
    assert sorted(r["student"] for r in records) == STUDENTS, "each graded exactly once"
    assert all(r["status"] == "graded" and not r["problems"] for r in records), records
    assert_all_graded_in_full(course)
    assert out.strip().splitlines()[-1].endswith("on 2 Dask workers")
    assert cluster.leftovers() == [], "a process of the cluster outlived it"


def test_a_killed_coordinator_resumes_where_it_stopped(tmp_path):
    course = class_course(tmp_path)
    with Processes(tmp_path / "cluster", workers=2, env=venv_env()) as cluster:
        proc = start_grading(course, cluster.address)
        wait_for_records(course, 1, proc)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        first = {r["student"] for r in records_of(course)}
        assert 0 < len(first) < len(STUDENTS), "killed after the batch: not midway"
        run = autograder("grade", CH1, "--cluster", cluster.address, cwd=course)
    records = records_of(course)
    again = [r["student"] for r in records[len(first) :]]
    assert sorted(again) == sorted(set(STUDENTS) - first), "the resumed run regraded work"
    assert f"{len(first)} already graded" in run.stdout + run.stderr
    assert_all_graded_in_full(course)
    assert cluster.leftovers() == [], "a process of the cluster outlived it"


def test_no_scheduler_there_says_so(tmp_path):
    course = make_course(tmp_path / "course", [CH1])
    generate_release(course, CH1)
    submit(course, CH1, "ann", reference_answers(CH1))
    run = autograder("grade", CH1, "--cluster", "tcp://127.0.0.1:9", cwd=course, check=False)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "no Dask scheduler answers at tcp://127.0.0.1:9" in run.stderr


def test_a_worker_without_a_sandbox_refuses_the_batch_saying_why(tmp_path):
    """The sandbox is required on every worker: one without bubblewrap stops the run before
    anything is graded, and the instructor reads why (the worker's own reason)."""
    course = make_course(tmp_path / "course", [CH1])
    generate_release(course, CH1)
    submit(course, CH1, "ann", reference_answers(CH1))
    no_bwrap = dict(venv_env(), PATH=str(Path(sys.executable).parent))  # no /usr/bin
    with Processes(tmp_path / "cluster", workers=1, env=no_bwrap) as cluster:
        run = autograder("grade", CH1, "--cluster", cluster.address, cwd=course, check=False)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "the sandbox cannot start: bubblewrap is not installed" in run.stderr, run.stderr
    assert records_of(course) == [], "graded without a sandbox"
    assert cluster.leftovers() == [], "a process of the cluster outlived it"
