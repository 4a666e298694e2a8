"""The autograder's parts, without a kernel: ledger, imports, LMS names, cut-short notebooks."""

import asyncio
import re
import signal

import nbformat
import pytest
import zmq
import zmq.asyncio
from jupyter_client.session import Session
from nbclient.exceptions import CellTimeoutError
from nbgrader.utils import determine_grade

from autograder import ledger
from autograder.__main__ import main
from autograder.collect import identify
from autograder.config import LMS_PATTERN
from autograder.execution import RunLimits, RunResult, _execute, mark_unrun, timed_out
from autograder.kernel import CheckedChannel, KernelJob, UnreadableMessage
from autograder.progress import summary
from autograder.zygote import imported_modules


def test_ledger_keeps_the_last_record_and_skips_a_torn_line(tmp_path):
    book = ledger.Ledger(tmp_path, "a1")
    book.append({"student": "ann", "status": "failed"})
    book.append({"student": "bob", "status": "graded"})
    book.append({"student": "ann", "status": "graded"})
    with open(book.path, "a", encoding="utf-8") as f:
        f.write('{"student": "cy", "sta')  # a crash in the middle of a write
    latest = book.latest()
    assert {s: r["status"] for s, r in latest.items()} == {"ann": "graded", "bob": "graded"}
    assert ledger.latest(tmp_path, "other") == {}


def test_imported_modules_reads_code_cells_only(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%matplotlib inline\nimport torch.nn.functional as F, numpy"),
        nbformat.v4.new_code_cell("from course import check\nfrom . import local\n!ls"),
        nbformat.v4.new_code_cell("def broken(:"),
        nbformat.v4.new_markdown_cell("import markdown_is_not_code"),
    ]
    nbformat.write(nb, tmp_path / "a.ipynb")
    assert imported_modules([tmp_path / "a.ipynb"]) == ["course", "numpy", "torch.nn.functional"]


@pytest.mark.parametrize(
    "name, found",
    [
        ("doejane_12345_67890_requires_grad.ipynb", ("doejane", "requires_grad")),
        ("doejane_late_12345_67890_requires_grad-2.ipynb", ("doejane", "requires_grad")),
        ("folder/doejane_requires_grad.ipynb", ("doejane", "requires_grad")),
        ("mallory_1_2_requires_grad.ipynb", "no student 'mallory' in the gradebook"),
        ("homework.ipynb", "the name does not match"),
        ("doejane_1_2_notes.txt", "not a notebook"),
    ],
)
def test_lms_file_names(name, found):
    got = identify(name, re.compile(LMS_PATTERN), ["requires_grad"], {"doejane", "ann"})
    assert got == found if isinstance(found, tuple) else found in got


def test_lms_file_names_pick_one_of_several_notebooks():
    regex = re.compile(LMS_PATTERN)
    assert identify("ann_3_4_part2.ipynb", regex, ["part1", "part2"], set()) == ("ann", "part2")
    assert "which notebook" in identify("ann_3_4_part9.ipynb", regex, ["part1", "part2"], set())


def test_cells_left_unrun_score_zero_and_those_before_keep_their_score():
    grade = {"grade": True, "grade_id": "test_x", "points": 2.0, "solution": False}
    cells = [nbformat.v4.new_code_cell("x = 1") for _ in range(3)]
    for cell in cells:
        cell.metadata["nbgrader"] = dict(grade)
    nb = nbformat.v4.new_notebook(cells=cells)
    mark_unrun(nb, 1, "notebook timeout (5 s)")
    assert [determine_grade(c)[0] for c in nb.cells] == [2.0, 0, 0]
    assert "stopped in this cell: notebook timeout" in nb.cells[1].outputs[0]["evalue"]
    assert "not run" in nb.cells[2].outputs[0]["evalue"]
    assert timed_out(nb) == []


class Exits:
    """A zygote's record of how its kernels ended: each one as `end` says."""

    def __init__(self, **end):
        self.end = {"status": 1, "timed_out": False, "cpu": 0.5, **end}

    def wait(self, pid, timeout):
        self.waited = timeout

    def forget(self, pid):
        return dict(self.end, exited=pid)

    def signal(self, pid, number):
        self.signalled = (pid, number)


class Starts:
    """An Execute stand-in whose first `deaths` kernels die before running a cell."""

    def __init__(self, deaths, exits, log, killed=False, running=None):
        self.job, self.deaths = KernelJob(exits, str(log)), deaths
        self.killed, self.running = killed, running
        self.pids = []

    def __call__(self, nb, resources):
        self.job.forked, self.job.pid, self.job.killed = True, len(self.pids) + 1, self.killed
        self.pids.append(self.job.pid)
        if len(self.pids) <= self.deaths:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return nb, resources


LIMITS = RunLimits(notebook_timeout=60, cell_timeout=None, output_bytes=None)


def _run(starts):
    result = RunResult("student")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    return _execute(starts, nb, {}, result, LIMITS), result


@pytest.mark.parametrize("end", [{"status": 1}, {"status": -11}])
def test_a_kernel_that_dies_before_its_first_cell_is_started_once_more(end, tmp_path):
    starts = Starts(1, Exits(**end), tmp_path / "k.log")
    (nb, _), result = _run(starts)
    assert starts.pids == [1, 2], "the second kernel ran the notebook"
    assert starts.job.pid == 2 and starts.job.end == dict(Exits(**end).end, exited=2)
    assert result.problems == [] and result.kernel_cpu == 1.0  # both kernels' CPU
    assert result.restarts == 1, "its log is kept: it says why the first one died"
    assert "died before its first cell" in (tmp_path / "k.log").read_text()


def test_a_kernel_that_dies_twice_before_its_first_cell_fails_the_submission(tmp_path):
    starts = Starts(2, Exits(), tmp_path / "k.log")
    with pytest.raises(RuntimeError, match="before replying to kernel_info"):
        _run(starts)
    assert starts.pids == [1, 2], "one more try, not more"


@pytest.mark.parametrize(
    "case",
    [
        {"killed": True},  # the grader killed it: nbclient gave up on it
        {"exits": Exits(timed_out=True)},  # its notebook's time was up
    ],
    ids=["killed", "timed-out"],
)
def test_a_kernel_stopped_by_the_grader_is_not_started_again(case, tmp_path):
    starts = Starts(1, log=tmp_path / "k.log", **{"exits": Exits(), **case})
    with pytest.raises(RuntimeError):
        _run(starts)
    assert starts.pids == [1]


def test_a_kernel_that_dies_in_a_cell_is_not_started_again(tmp_path):
    starts = Starts(1, Exits(status=-9), tmp_path / "k.log", running=0)
    (nb, _), result = _run(starts)
    assert starts.pids == [1]
    assert [p.split(" (in cell")[0] for p in result.problems] == ["kernel killed by SIGKILL"]
    assert nb.cells[0].outputs[0]["ename"] == "AutograderStopped"


class Floods(Starts):
    """An Execute stand-in whose kernel the grader stops for its output in cell 0, after
    which nbclient's cell timeout comes before it notices that the kernel died."""

    def __call__(self, nb, resources):
        super().__call__(nb, resources)
        self.running, self.job.stopped, self.job.killed = 0, "output over 4 MB", True
        raise CellTimeoutError("A cell timed out while it was being executed")


def test_a_kernel_stopped_for_its_output_keeps_that_reason_after_a_cell_timeout(tmp_path):
    exits = Exits(status=-9)
    (nb, _), result = _run(Floods(0, exits, tmp_path / "k.log"))
    assert exits.waited >= 30, "a busy zygote reports a kernel it killed late, not never"
    assert result.problems == ["output over 4 MB (in cell #1)"]
    assert "output over 4 MB" in nb.cells[0].outputs[0]["evalue"]


def received(session, frames):
    """What a CheckedChannel reads when a kernel sends `frames` (over a real ZMQ socket)."""

    async def receive():
        context = zmq.asyncio.Context()
        kernel, grader = context.socket(zmq.PAIR), context.socket(zmq.PAIR)
        try:
            grader.bind("inproc://iopub")
            kernel.connect("inproc://iopub")
            await kernel.send_multipart(frames)
            return await CheckedChannel(grader, session).get_msg(timeout=5)
        finally:
            kernel.close(linger=0)
            grader.close(linger=0)
            context.term()

    return asyncio.run(receive())


@pytest.mark.parametrize(
    "frames, why",
    [
        (lambda ours, theirs: theirs, "Invalid Signature"),  # signed with another key
        (lambda ours, theirs: ours[:3], "Invalid Signature"),  # torn: parts missing
        (lambda ours, theirs: [b"<IDS|MSG>", b""] + ours[2:], "Unsigned Message"),
        (lambda ours, theirs: None, "Duplicate Signature"),  # the message read before, again
    ],
    ids=["other-key", "torn", "unsigned", "replayed"],
)
def test_a_message_the_session_cannot_read_is_the_kernels_fault(frames, why):
    session = Session(key=b"grader")
    read = session.serialize(session.msg("stream", {"name": "stdout", "text": "x"}))
    assert received(session, read)["content"]["text"] == "x"
    ours = session.serialize(session.msg("stream", {"name": "stdout", "text": "y"}))
    theirs = Session(key=b"student").serialize(session.msg("stream", {"text": "x"}))
    with pytest.raises(UnreadableMessage, match=f"unreadable message from the kernel \\({why}\\)"):
        received(session, frames(ours, theirs) or read)


class Garbles(Starts):
    """An Execute stand-in whose kernel sends an unreadable message in cell 0, alive."""

    def __call__(self, nb, resources):
        super().__call__(nb, resources)
        self.running = 0
        raise UnreadableMessage("an unreadable message from the kernel (Invalid Signature)")


def test_a_kernel_that_sends_an_unreadable_message_is_stopped_and_scored_cell_by_cell(tmp_path):
    exits = Exits(status=-9)
    (nb, _), result = _run(Garbles(0, exits, tmp_path / "k.log"))
    assert exits.signalled == (1, signal.SIGKILL)
    assert result.problems == [
        "an unreadable message from the kernel (Invalid Signature) (in cell #1)"
    ], "not failed whole, as stock nbgrader fails it"
    assert nb.cells[0].outputs[0]["ename"] == "AutograderStopped"


def test_summary_lists_every_submission_and_counts_failures():
    records = [
        {"student": "bob", "status": "graded", "score": 5, "max_score": 7, "seconds": 0.5,
         "problems": ["cell timeout in test_a"]},
        {"student": "ann", "status": "failed", "score": None, "max_score": None, "seconds": 0.1,
         "problems": ["failed: NotJSONError"]},
    ]  # fmt: skip
    table = summary(records, 2.0).splitlines()
    assert table[0].split() == ["student", "score", "max", "time", "problems"]
    assert table[1].split()[:2] == ["ann", "-"] and "NotJSONError" in table[1]
    assert table[2].split()[:3] == ["bob", "5", "7"] and table[2].endswith("test_a")
    assert table[3] == "1 graded, 1 failed in 2.0s (1.00s each)"


def test_usage_errors_exit_2_with_a_hint(tmp_path, capsys):
    assert main(["--course", str(tmp_path / "nowhere"), "grade", "a1"]) == 2
    assert "no course directory" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["collect"])
    assert exit_.value.code == 2
    capsys.readouterr()
    (tmp_path / "nbgrader_config.py").write_text("")
    assert main(["--course", str(tmp_path), "grade", "a1", "--workers", "0"]) == 2
    assert "--workers must be at least 1" in capsys.readouterr().err
    cluster = ["--cluster", "tcp://127.0.0.1:1", "--workers", "2"]  # it would be ignored
    assert main(["--course", str(tmp_path), "grade", "a1", *cluster]) == 2
    assert "drop --workers" in capsys.readouterr().err
    for both_or_neither in (["grade"], ["grade", "a1", "--all"]):
        assert main(["--course", str(tmp_path), *both_or_neither]) == 2
        assert "name the assignments to grade, or pass --all" in capsys.readouterr().err


class FakeGradebook:
    """What find_assignment reads of a gradebook: the released assignments."""

    def __init__(self, *names):
        self.assignments = [type("Assignment", (), {"name": n})() for n in names]

    def find_assignment(self, name):
        from nbgrader.api import MissingEntry

        for a in self.assignments:
            if a.name == name:
                return a
        raise MissingEntry()


def test_a_misspelt_assignment_lists_the_course_and_the_closest(tmp_path):
    from types import SimpleNamespace

    from autograder.config import UsageError, find_assignment

    (tmp_path / "source" / "03_data_edits").mkdir(parents=True)
    coursedir = SimpleNamespace(root=str(tmp_path), source_directory="source", db_url="sqlite://")
    gb = FakeGradebook("01_requires_grad", "02_backward")
    assert find_assignment(gb, coursedir, "02_backward").name == "02_backward"
    with pytest.raises(UsageError) as typo:
        find_assignment(gb, coursedir, "01_require_grad")
    assert str(typo.value) == (
        "no assignment '01_require_grad' in this course (it has: 01_requires_grad, 02_backward, "
        "03_data_edits); did you mean 01_requires_grad?"
    )
    with pytest.raises(UsageError, match="run `nbgrader generate_assignment 03_data_edits` first"):
        find_assignment(gb, coursedir, "03_data_edits")


@pytest.mark.parametrize("command", [["grade", "01_requires_grad"], ["report", "x"]])
def test_a_folder_that_is_no_course_is_refused_and_left_as_it_was(tmp_path, capsys, command):
    assert main([*command, "--course", str(tmp_path)]) == 2
    assert "has no nbgrader_config.py, so it is no nbgrader course" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
