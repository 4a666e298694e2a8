"""python -m autograder end to end, in throwaway courses.

One notebook-level comparison with stock `nbgrader autograde`: chapter 1's whole answer
catalogue, and the reference and one wrong answer of every other chapter. Then what stock
nbgrader cannot do: kernels forked fresh, a killed batch resumed, timeouts, a dead kernel,
collect from an LMS zip, the class report. Each test builds its own course: none depends on
another's.
"""

import base64
import csv
import functools
import html.parser
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import psutil
import pytest
from coursekit import (
    answers,
    assignments,
    autograder,
    generate_release,
    make_course,
    nbgrader,
    notebook_path,
    reference_answers,
    scores,
    submit,
    venv_env,
)
from coursekit import (
    by_exercise as totals,
)

from autograder import ledger
from autograder.bench import normalized
from autograder.cells import nbgrader_meta
from autograder.config import venv_path

CH1 = "01_requires_grad"
ENV = venv_env()


def heavy(test):
    """Real kernels: slow, and on the xdist worker that holds the shared comparison."""
    return pytest.mark.slow(pytest.mark.xdist_group("autograder")(test))


reference = functools.cache(reference_answers)


def chapter_course(root, assignment=CH1, config=""):
    course = make_course(root, [assignment])
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as f:
        f.write(config)
    generate_release(course, assignment)
    return course


def submit_catalogue(course, assignment, catalogue):
    submit(course, assignment, "reference", reference(assignment))
    for answer in catalogue:
        submit(
            course,
            assignment,
            answer.student,
            reference(assignment) | {answer.function: answer.source()},
        )


@heavy
def test_same_grades_and_notebooks_as_stock_nbgrader(tmp_path):
    """The notebook-level comparison: chapter 1's whole catalogue, one wrong answer of the
    others. test_graders.py compares the scores of every chapter's right answers."""
    stock = make_course(tmp_path / "stock")
    for a in assignments():
        generate_release(stock, a)
        catalogue = answers(a) if a == CH1 else [x for x in answers(a) if not x.correct][:1]
        submit_catalogue(stock, a, catalogue)
    submit(stock, CH1, "blank", {})
    fast = Path(shutil.copytree(stock, tmp_path / "fast"))
    for a in assignments():
        nbgrader("autograde", a, cwd=stock)
    table = autograder("grade", "--all", cwd=fast).stdout.splitlines()  # every chapter, one run

    for a in assignments():
        want = scores(stock, a)
        assert want and all(want.values()), f"stock nbgrader graded nothing of {a}"
        assert scores(fast, a) == want, f"{a}: per-cell scores differ from stock nbgrader's"
    made = sorted(p.relative_to(stock) for p in stock.glob("autograded/*/*/*.ipynb"))
    assert made == sorted(p.relative_to(fast) for p in fast.glob("autograded/*/*/*.ipynb"))
    for path in made:
        assert normalized(fast / path) == normalized(stock / path), f"{path} differs"
        assert (fast / path).stat().st_mode == (stock / path).stat().st_mode
    nbgrader("export", cwd=stock)
    nbgrader("export", cwd=fast)
    assert (fast / "grades.csv").read_text() == (stock / "grades.csv").read_text()
    nbgrader("generate_feedback", CH1, "--student", "reference", cwd=fast)
    assert (fast / "feedback" / "reference" / CH1 / "requires_grad.html").stat().st_size > 10_000

    assert table[0] == f"== {CH1}" and table.count(f"== {assignments()[-1]}") == 1
    assert table[1].split() == ["student", "score", "max", "time", "problems"]
    assert table[-1].startswith(f"{len(made)} graded, 0 failed in ")
    assert "graded already" in autograder("grade", CH1, cwd=fast).stdout


@heavy
def test_report_shows_scores_and_the_failing_tests(tmp_path):
    course = chapter_course(tmp_path / "course")
    wrong = [a for a in answers(CH1) if not a.correct]
    submit_catalogue(course, CH1, wrong[::3])
    submit(course, CH1, "blank", {})
    submit(course, CH1, "explained", reference(CH1))
    explained = course / "submitted" / "explained" / CH1 / "requires_grad.ipynb"
    nb = nbformat.read(explained, as_version=4)
    for cell in nb.cells:
        if nbgrader_meta(cell).get("grade_id") == "explain_leaves":
            cell.source = "Tensors made directly, not computed: backward fills their .grad."
    nbformat.write(nb, explained)
    autograder("grade", CH1, cwd=course)
    out = autograder("report", CH1, cwd=course).stdout.split()
    assert out == [str(course / "reports" / f"{CH1}.html"), str(course / "reports" / f"{CH1}.csv")]
    with open(out[1], encoding="utf-8") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    per_cell = scores(course, CH1)
    students = {"reference", "blank", "explained", *(a.student for a in wrong[::3])}
    assert set(rows) == set(per_cell) == students
    for student, cells in per_cell.items():
        assert float(rows[student]["total"]) == sum(s for s, _ in cells.values())
    assert rows["blank"]["make_param"] == "0" and rows["reference"]["make_param"] == "2"
    # An explanation written waits for a person: pending, as formgrader shows it, not a zero
    # (nbgrader itself gives 0 to one left as released).
    assert rows["explained"]["explain_leaves"] == "pending" and rows["explained"]["pending"] == "1"
    assert rows["blank"]["explain_leaves"] == "0" and rows["blank"]["pending"] == ""
    text = Path(out[0]).read_text(encoding="utf-8")
    assert "Manual grading pending for 1 of them (up to 1 of 7 points each" in text
    page = Page()
    page.feed(text)
    assert len(page.images) == 2
    for src in page.images:
        assert base64.b64decode(src.removeprefix("data:image/png;base64,"))[:4] == b"\x89PNG"
    failing = {row[0]: row[1] for row in page.tables[0][1:] if len(row) == 4}
    zero = sum(cells["test_make_param__values"][0] == 0 for cells in per_cell.values())
    assert failing["test_make_param__values"] == f"{zero} of {len(rows)}" and zero >= 2
    messages = " ".join(row[-1] for row in page.tables[0][1:])
    assert "NotImplementedError" in messages and "expected:" in messages


class Page(html.parser.HTMLParser):
    """The images and the table cells of a page."""

    def __init__(self):
        super().__init__()
        self.images, self.tables, self.cell = [], [], None

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs)["src"])
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.tables[-1][-1].append(self.cell)
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


PROBE = """
import os, sys, numpy, torch, course
print(sys.argv[0].endswith("ipykernel_launcher.py"), os.getcwd())
print(hasattr(course, "left_over"))
print(sys.path)
print(" ".join(sorted(os.environ)))
print(numpy.random.randint(1 << 30), torch.initial_seed())
course.left_over = True
"""


@heavy
def test_each_kernel_is_fresh_and_starts_like_stock(tmp_path):
    """Two forked kernels share nothing; each sees what a stock kernel sees, but of the
    grader's environment only its allow-list (and one torch thread each)."""
    from nbclient import NotebookClient

    from autograder.kernel import ForkExecute, KernelJob
    from autograder.sandbox import clean_env
    from autograder.zygote import ONE_THREAD, Zygote

    def probe(run):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE)])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        run(nb, {"metadata": {"path": str(tmp_path)}})
        return "".join(o.get("text", "") for o in nb.cells[0].outputs).splitlines()

    zygote = Zygote(str(tmp_path / "zygote.log"))
    zygote.load(["torch", "numpy", "course"])
    forked = []
    for _ in range(2):
        fork = ForkExecute()
        fork.job = KernelJob(zygote, str(tmp_path / "k.log"))
        forked.append(probe(fork.preprocess))
        assert fork.job.forked and fork.job.exit()["status"] is not None
    zygote.close()
    stock = probe(lambda nb, res: NotebookClient(nb, resources=res).execute())
    assert stock[:2] == [f"True {tmp_path}", "False"]
    assert forked[0][:3] == forked[1][:3] == stock[:3]
    stock_env = set(stock[3].split())  # the grader's environment and what the kernel adds
    kept = set(clean_env(dict.fromkeys(stock_env, ""))) | (stock_env - set(os.environ))
    assert set(forked[0][3].split()) == set(forked[1][3].split()) == kept | set(ONE_THREAD)
    seeds = zip(forked[0][4].split(), forked[1][4].split(), strict=True)
    assert all(a != b for a, b in seeds), "forked kernels share a random state"


@heavy
def test_a_print_loop_reaches_the_grader_in_paced_messages(tmp_path):
    """A burst of prints is sent every PACE characters, all of it and in order: unpaced,
    ipykernel held a whole 0.2 s interval of it (about a GB of a flood) in one message."""
    from autograder.kernel import ForkExecute, KernelJob
    from autograder.outstream import PACE
    from autograder.zygote import Zygote

    line = "x" * 99_999
    code = "import sys\nfor i in range(120):\n    print(i, {line!r}, file={stream})"
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(code.format(line=line, stream=stream))
        for stream in ("sys.stdout", "sys.stderr")])  # fmt: skip
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    zygote = Zygote(str(tmp_path / "zygote.log"))
    zygote.load([])
    try:
        fork = ForkExecute()
        fork.job = KernelJob(zygote, str(tmp_path / "k.log"))
        fork.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
        assert fork.job.forked
    finally:
        zygote.close()
    expected = "".join(f"{i} {line}\n" for i in range(120))
    for cell, name in zip(nb.cells, ("stdout", "stderr"), strict=True):
        sizes = [len(out["text"]) for out in cell.outputs]
        assert {out["name"] for out in cell.outputs} == {name}, cell.outputs[0]
        assert "".join(out["text"] for out in cell.outputs) == expected, sizes
        assert len(sizes) >= len(expected) // (PACE + len(line) + 10), sizes
        assert max(sizes) <= PACE + len(line) + 10, sizes


@heavy
def test_modules_for_later_are_imported_once_the_zygote_is_idle(tmp_path):
    """c.Autograder.preload (what kernels import on first use) waits until no request
    does: the first kernel is forked at once, later ones have the module already."""
    from autograder.kernel import ForkExecute, KernelJob
    from autograder.zygote import IDLE, Zygote

    def imported(zygote, name):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
            f"import sys; print({name!r} in sys.modules)")])  # fmt: skip
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        fork = ForkExecute()
        fork.job = KernelJob(zygote, str(tmp_path / "k.log"))
        fork.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
        assert fork.job.forked and fork.job.exit()["status"] is not None
        return nb.cells[0].outputs[0]["text"].strip()

    eager, later = Zygote(str(tmp_path / "eager.log")), Zygote(str(tmp_path / "later.log"))
    eager.load(["json"])
    later.load(["json"], later=["wave"])  # a module no kernel imports by itself
    try:
        assert imported(eager, "wave") == "False"
        imported(later, "json")  # forked first, while the zygote may not be idle yet
        time.sleep(5 * IDLE)
        assert imported(later, "wave") == "True", "the idle zygote did not import it"
    finally:
        eager.close()
        later.close()


@heavy
def test_killed_batch_resumes_without_loss_or_double_counting(tmp_path):
    course = chapter_course(tmp_path / "course")
    submit_catalogue(course, CH1, answers(CH1)[:5])
    students = sorted(p.name for p in (course / "submitted").iterdir())
    done = interrupt_midway(course, signal.SIGINT) + interrupt_midway(course, signal.SIGKILL)
    assert 0 < len(done) < len(students), "the batch was not stopped midway"
    for path in course.glob("autograded/*/*/*.ipynb"):
        nbformat.read(path, as_version=4)  # whole, never half-written
    rerun = autograder("grade", CH1, "--workers", "1", cwd=course)
    graded = [line.split()[0] for line in rerun.stdout.splitlines()[1:-1]]
    assert sorted(graded) == sorted(set(students) - set(done)), "regraded or missed some"
    records = ledger.latest(course, CH1)
    assert sorted(records) == students and {r["status"] for r in records.values()} == {"graded"}
    resumed = scores(course, CH1)
    autograder("grade", CH1, "--force", cwd=course)
    assert scores(course, CH1) == resumed, "grades differ from those of one whole run"


def interrupt_midway(course, sig):
    """Start a batch, send `sig` once it has recorded a submission; who it recorded.

    No process of the batch (the zygote, a kernel) may outlive it.
    """
    path = ledger.Ledger(course, CH1).path
    before = len(path.read_text().splitlines()) if path.exists() else 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "autograder", "grade", CH1, "--workers", "1"],
        cwd=course, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not (path.exists() and len(path.read_text().splitlines()) > before):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == (130 if sig == signal.SIGINT else -signal.SIGKILL), err
    deadline = time.monotonic() + 10
    while left := [p for p in psutil.process_iter(["cwd"]) if str(course) in (p.info["cwd"] or "")]:
        assert time.monotonic() < deadline, f"left running: {left}"
        time.sleep(0.1)
    return [json.loads(line)["student"] for line in path.read_text().splitlines()[before:]]


@heavy
def test_timeouts_a_dead_kernel_and_a_broken_file_are_recorded(tmp_path):
    limits = "\nc.Autograder.cell_timeout = 4\nc.Autograder.notebook_timeout = 60\n"
    course = chapter_course(tmp_path / "course", config=limits)
    ref = reference(CH1)
    env = 'import os\nprint(os.environ.get("NBGRADER_EXECUTION"))\n'
    loop = "def make_param(values):\n    while True:\n        pass"
    submit(course, CH1, "reference", ref | {"make_param": env + ref["make_param"]})
    submit(course, CH1, "looper", ref | {"make_param": loop})
    submit(course, CH1, "crasher", ref | {"graph_leaves": "import os\nos._exit(3)"})
    submit(course, CH1, "sleeper", ref | {"blitz_grad": "import time\ntime.sleep(60)"})
    submit(course, CH1, "broken", {})
    (course / "submitted" / "broken" / CH1 / "requires_grad.ipynb").write_text('{"cells": [')
    four = [f"--student={s}" for s in ("reference", "looper", "crasher", "broken")]
    run = autograder("grade", CH1, *four, cwd=course)
    assert run.stdout.splitlines()[-1].startswith("3 graded, 1 failed in ")
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as f:
        f.write("c.Autograder.cell_timeout = None\nc.Autograder.notebook_timeout = 8\n")
    start = time.monotonic()
    autograder("grade", CH1, "--student", "sleeper", cwd=course)
    assert time.monotonic() - start < 30
    records = ledger.latest(course, CH1)
    problems = {s: "; ".join(r["problems"]) for s, r in records.items()}
    assert problems["reference"] == "" and records["reference"]["status"] == "graded"
    timeouts = [f"cell timeout in test_make_param__{part}" for part in ("values", "inputs")]
    assert problems["looper"] == "; ".join(timeouts)
    assert problems["crasher"] == "kernel died (exit status 3) (in cell graph_leaves)"
    assert problems["sleeper"] == "notebook timeout (8 s) (in cell blitz_grad)"
    assert records["broken"]["status"] == "failed" and "is not valid JSON" in problems["broken"]
    assert not (course / "autograded" / "broken" / CH1).exists()
    by_exercise = {
        s: {ex: score for ex, (score, _) in totals(cells).items()}
        for s, cells in scores(course, CH1).items()
    }
    assert by_exercise["reference"] == {"make_param": 2, "blitz_grad": 2, "graph_leaves": 2}
    assert by_exercise["looper"] == {"make_param": 0, "blitz_grad": 2, "graph_leaves": 2}
    assert by_exercise["crasher"] == {"make_param": 2, "blitz_grad": 2, "graph_leaves": 0}
    assert by_exercise["sleeper"] == {"make_param": 2, "blitz_grad": 0, "graph_leaves": 0}
    graded = nbformat.read(course / "autograded" / "reference" / CH1 / "requires_grad.ipynb", 4)
    cell = next(c for c in graded.cells if nbgrader_meta(c).get("grade_id") == "make_param")
    text = "".join(o.get("text", "") for o in cell.outputs)  # a print may come in two chunks
    assert text == "autograde\n", "the kernel must see the environment stock's sees"


@pytest.mark.slow  # runs nbgrader and the autograder as subprocesses
def test_collect_imports_notebooks_and_lists_the_rest(tmp_path, monkeypatch):
    from nbgrader.api import Gradebook

    monkeypatch.setenv("PATH", ENV["PATH"])  # nbgrader runs alembic to make a gradebook
    course = make_course(tmp_path / "course", [CH1])
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.add_assignment(CH1)
        gb.add_notebook("requires_grad", CH1)
        for student in ("doejane", "ann"):
            gb.add_student(student)
    good = notebook_path(CH1).read_bytes()
    files = {
        "doejane_101_202_requires_grad.ipynb": nbformat.writes(nbformat.v4.new_notebook()).encode(),
        "sub/doejane_101_303_requires_grad-1.ipynb": good,
        "ann_late_5_6_requires_grad.ipynb": b'{"cells": [',
        "mallory_7_8_requires_grad.ipynb": good,
        "ann_notes.txt": b"hello",
    }
    with zipfile.ZipFile(tmp_path / "lms.zip", "w") as zf:
        for i, (name, data) in enumerate(files.items()):
            zf.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, i * 2)), data)
    out = autograder("collect", str(tmp_path / "lms.zip"), CH1, cwd=course).stdout
    assert sorted(p.relative_to(course).as_posix() for p in course.glob("submitted/**/*.*")) == [
        f"submitted/doejane/{CH1}/requires_grad.ipynb"
    ]
    assert (course / "submitted" / "doejane" / CH1 / "requires_grad.ipynb").read_bytes() == good
    reasons = dict(line.strip().split(": ", 1) for line in out.splitlines()[2:])
    assert reasons["doejane_101_202_requires_grad.ipynb"].startswith("replaced by the later")
    assert reasons["ann_late_5_6_requires_grad.ipynb"].startswith("invalid notebook JSON")
    assert reasons["mallory_7_8_requires_grad.ipynb"] == "no student 'mallory' in the gradebook"
    assert reasons["ann_notes.txt"] == "not a notebook (.ipynb)"
    (tmp_path / "not.zip").write_text("nope")
    bad = autograder("collect", str(tmp_path / "not.zip"), CH1, cwd=course, check=False)
    assert bad.returncode == 2 and "not a zip file" in bad.stderr


@pytest.mark.slow  # runs nbgrader and the autograder as subprocesses
def test_grading_an_unreleased_assignment_says_what_to_do(tmp_path):
    course = make_course(tmp_path / "course", [CH1])
    run = autograder("grade", CH1, cwd=course, check=False)
    assert run.returncode == 2
    assert f"run `nbgrader generate_assignment {CH1}` first" in run.stderr


@pytest.mark.slow  # runs nbgrader and the autograder as subprocesses
def test_without_a_sandbox_grade_refuses_until_told_the_code_is_trusted(tmp_path):
    """The sandbox is required: with no bubblewrap on PATH, grade runs nothing and says how
    to fix it; --unsandboxed grades anyway and says so in its last line."""
    course = chapter_course(tmp_path / "course")
    submit(course, CH1, "reference", reference(CH1))
    no_bwrap = dict(ENV, PATH=venv_path(""))  # this Python's bin/ alone

    def run(*args):
        cmd = [sys.executable, "-m", "autograder", *args]
        return subprocess.run(cmd, cwd=course, env=no_bwrap, capture_output=True, text=True)

    doctor = run("doctor")
    assert doctor.returncode == 1 and "apt-get install bubblewrap" in doctor.stdout
    refused = run("grade", CH1)
    assert refused.returncode == 2, refused.stderr
    assert "bubblewrap is not installed" in refused.stderr and "--unsandboxed" in refused.stderr
    assert not (course / "autograded").exists() and scores(course, CH1) == {}
    trusted = run("grade", CH1, "--unsandboxed")
    assert trusted.returncode == 0, trusted.stderr
    assert (
        trusted.stdout.strip()
        .splitlines()[-1]
        .endswith("Sandbox: OFF (student code ran with your permissions)")
    )
    assert "grading UNSANDBOXED" in trusted.stderr
    here = autograder("doctor", cwd=course)
    assert f"Sandbox: on ({'root' if os.geteuid() == 0 else 'rootless'} bubblewrap" in here.stdout


@pytest.mark.slow  # runs stock nbgrader as a subprocess
def test_stock_zip_collect_takes_an_lms_download(tmp_path):
    """nbgrader_config.py's FileNameCollectorPlugin pattern lets zip_collect file the notebooks."""
    course = chapter_course(tmp_path / "course")
    archive = course / "downloaded" / CH1 / "archive"
    archive.mkdir(parents=True)
    good = notebook_path(CH1, course / "release").read_bytes()
    with zipfile.ZipFile(archive / "lms.zip", "w") as zf:
        zf.writestr("doejane_12345_67890_requires_grad-1.ipynb", good)
        zf.writestr("ann_late_5_6_requires_grad.ipynb", good)
    nbgrader("zip_collect", CH1, cwd=course)
    got = sorted(p.relative_to(course).as_posix() for p in course.glob("submitted/**/*.ipynb"))
    assert got == [f"submitted/{s}/{CH1}/requires_grad.ipynb" for s in ("ann", "doejane")]


@pytest.mark.slow  # runs stock nbgrader and the autograder as subprocesses
def test_untouched_test_cells_are_graded_in_silence_with_their_hidden_tests(tmp_path):
    """nbgrader warns "checksum has changed" for every test cell whose hidden tests the
    release left out (nbgrader #1961); the course restores them first, so only a cell the
    student really edited is reported, and every test cell runs whole."""
    course = chapter_course(tmp_path / "course")
    submit(course, CH1, "reference", reference(CH1))
    submit(course, CH1, "edited", reference(CH1))
    edited = course / "submitted" / "edited" / CH1 / "requires_grad.ipynb"
    nb = nbformat.read(edited, as_version=4)
    cell = next(c for c in nb.cells if nbgrader_meta(c).get("locked") and "check(" in c.source)
    cell.source += "\n# a student's line"
    nbformat.write(nb, edited)
    run = nbgrader("autograde", CH1, cwd=course)
    warned = re.findall(r"Attribute 'checksum' for cell (\S+) has changed", run.stdout + run.stderr)
    assert warned == [nbgrader_meta(cell)["grade_id"]], warned
    source = nbformat.read(notebook_path(CH1), as_version=4)
    hidden = {
        nbgrader_meta(c)["grade_id"] for c in source.cells if "BEGIN HIDDEN TESTS" in c.source
    }
    for student in ("reference", "edited"):
        graded = nbformat.read(notebook_path(CH1, course / "autograded" / student), as_version=4)
        whole = {
            nbgrader_meta(c)["grade_id"] for c in graded.cells if "BEGIN HIDDEN TESTS" in c.source
        }
        assert hidden and whole == hidden, f"{student}: hidden tests missing from {hidden - whole}"
