"""Grader quality for every chapter, under stock `nbgrader autograde` and the autograder.

Per chapter, one throwaway course holds the reference answers, the untouched release
notebook, and every answer of the catalogue in tests/answers/<assignment>/.
`python -m autograder grade --cluster` grades all of it on a real Dask cluster (a scheduler
and two workers on 127.0.0.1, each with a local directory of its own, like two machines).
Stock nbgrader grades, in a copy, the reference, the blank release and every right answer
that warns (where stock nbgrader's stderr rule bites), and the autograder must agree with it
on each (test_autograder.py compares whole notebooks of
chapter 1's catalogue too).
- the reference scores every autograded point; the blank release scores zero (both graders);
- each wrong answer loses points on its own exercise and on no other;
- each right answer written differently scores full marks (a warning one, under both graders);
- a wrong answer's failure message names its misconception (its `[hint: word]`);
- a right answer that warns (`[warns: word]`) shows the warning as a note on stdout, and
  nothing of it reaches stderr.
"""

import functools
import re
import shutil
from dataclasses import dataclass

import nbformat
import pytest
from coursekit import (
    answers,
    assignments,
    autograder,
    by_exercise,
    cell_outputs,
    generate_release,
    hidden_failures,
    hidden_lines,
    make_course,
    message_shown,
    nbgrader,
    notebook_path,
    page_text,
    reference_answers,
    scores,
    solution_cells,
    submit,
    venv_env,
)

from autograder import ledger
from autograder.cells import exercise_of
from autograder.cluster import Processes

CHAPTERS = assignments()
BROKEN = {"SyntaxError", "IndentationError", "NameError", "ImportError", "ModuleNotFoundError"}


def grouped(assignment):
    return pytest.mark.xdist_group(f"grading-{assignment}")


@dataclass(frozen=True)
class Graded:
    assignment: str
    course: object  # the autograder's course: every submission, graded, with its feedback
    results: dict  # {student: {grade_id: (score, max)}} by the autograder
    stock: dict  # the same, by stock nbgrader: reference, blank, the right answers that warn
    outputs: dict  # {student: {grade_id: CellOutput}}: stock's where it graded, else ours


@dataclass(frozen=True)
class Place:
    root: object  # where the courses are made
    cluster: str  # the Dask scheduler that grades them


@functools.cache
def graded(assignment, place):
    """Grade the reference, the blank release and the whole catalogue of one chapter once."""
    tmp_root = place.root
    stock = make_course(tmp_root / f"{assignment}-stock", [assignment])
    generate_release(stock, assignment)
    reference = reference_answers(assignment)
    submit(stock, assignment, "reference", reference)
    submit(stock, assignment, "blank", {})
    for answer in answers(assignment):
        submit(stock, assignment, answer.student, reference | {answer.function: answer.source()})
    ours = shutil.copytree(stock, tmp_root / assignment)
    for answer in answers(assignment):
        if not stock_grades(answer):
            shutil.rmtree(stock / "submitted" / answer.student)
    nbgrader("autograde", assignment, cwd=stock)
    autograder("grade", assignment, "--cluster", place.cluster, cwd=ours)
    outputs = {
        a.student: cell_outputs(stock if stock_grades(a) else ours, assignment, a.student)
        for a in answers(assignment)
    }
    return Graded(assignment, ours, scores(ours, assignment), scores(stock, assignment), outputs)


def stock_grades(answer):
    """Stock nbgrader grades the right answers that warn: their notes must stay off stderr."""
    return answer.correct and "warns" in answer.tags


@pytest.fixture(scope="session")
def grading_root(tmp_path_factory):
    """Where the courses are made, and the cluster that grades them (one per test process)."""
    root = tmp_path_factory.mktemp("grading")
    with Processes(root / "cluster", workers=2, env=venv_env()) as cluster:
        yield Place(root, cluster.address)
    assert cluster.leftovers() == [], "a process of the cluster outlived it"


def _cases(correct):
    return [
        pytest.param(a, id=f"{a.assignment}/{a.function}__{a.slug}", marks=grouped(a.assignment))
        for chapter in CHAPTERS
        for a in answers(chapter)
        if a.correct == correct
    ]


def _chapters():
    return [pytest.param(c, id=c, marks=grouped(c)) for c in CHAPTERS]


def _describe(per_cell):
    return ", ".join(f"{gid} {s:g}/{m:g}" for gid, (s, m) in sorted(per_cell.items()))


def _record(run, student):
    """What the autograder's ledger says of one student: status, problems, flags."""
    record = ledger.latest(run.course, run.assignment).get(student, {})
    keys = ("status", "problems", "flags")
    return "ledger: " + ", ".join(f"{k}={record.get(k)!r}" for k in keys)


@pytest.mark.slow
@pytest.mark.parametrize("assignment", _chapters())
def test_reference_scores_every_point(assignment, grading_root):
    run = graded(assignment, grading_root)
    for grader, results in (("stock nbgrader", run.stock), ("the autograder", run.results)):
        per_cell = results["reference"]
        assert per_cell, f"{grader} graded no test cell"
        lost = {gid: sm for gid, sm in per_cell.items() if sm[0] != sm[1]}
        assert not lost, (
            f"under {grader} the reference loses points: {_describe(lost)}; "
            + _record(run, "reference")
        )


@pytest.mark.slow
@pytest.mark.parametrize("assignment", _chapters())
def test_blank_release_scores_zero(assignment, grading_root):
    run = graded(assignment, grading_root)
    for grader, results in (("stock nbgrader", run.stock), ("the autograder", run.results)):
        per_cell = results["blank"]
        earned = {gid: sm for gid, sm in per_cell.items() if sm[0] != 0}
        assert per_cell and not earned, (
            f"under {grader} the blank release earns {_describe(earned)}"
        )


@pytest.mark.slow
@pytest.mark.parametrize("assignment", _chapters())
def test_the_autograder_agrees_with_stock_nbgrader(assignment, grading_root):
    run = graded(assignment, grading_root)
    assert {"reference", "blank"} <= set(run.stock), "stock nbgrader graded nothing"
    differ = {
        s: (run.stock[s], run.results.get(s))
        for s in run.stock
        if run.results.get(s) != run.stock[s]
    }
    why = "; ".join(_record(run, s) for s in differ)
    assert not differ, f"per-cell scores differ from stock nbgrader's: {differ}; {why}"


@pytest.mark.slow
@pytest.mark.parametrize("answer", _cases(correct=False))
def test_wrong_answer_loses_points_on_its_exercise_only(answer, grading_root):
    run = graded(answer.assignment, grading_root)
    results, raised = run.results, run.outputs
    totals = by_exercise(results[answer.student])
    score, max_score = totals[answer.function]
    assert score < max_score, (
        f"'{answer.misconception}' scores full marks on {answer.function}: "
        f"{_describe(results[answer.student])}"
    )
    elsewhere = {ex: sm for ex, sm in totals.items() if ex != answer.function and sm[0] != sm[1]}
    assert not elsewhere, f"'{answer.misconception}' also loses points on {sorted(elsewhere)}"
    # A catalogue entry must fail because of its misconception, not because it is broken code.
    problems = {g: out.problem for g, out in raised[answer.student].items()}
    broken = {g: e for g, e in problems.items() if e.split(":")[0] in BROKEN}
    assert not broken, f"{answer.path.name} does not run: {broken}"


@pytest.mark.slow
@pytest.mark.parametrize("answer", _cases(correct=False))
def test_wrong_answer_message_names_its_misconception(answer, grading_root):
    keyword = answer.tags.get("hint")
    assert keyword, f"{answer.path.name}: its first line needs a [hint: word] its message names"
    run = graded(answer.assignment, grading_root)
    results, raised = run.results, run.outputs
    failing = [
        gid
        for gid, (score, max_score) in results[answer.student].items()
        if exercise_of(gid) == answer.function and score < max_score
    ]
    messages = {gid: raised[answer.student].get(gid) for gid in failing}
    silent = [gid for gid, out in messages.items() if out is None or not out.error]
    assert not silent, f"'{answer.misconception}' fails {silent} without a message"
    assert any(keyword.lower() in out.error.lower() for out in messages.values()), (
        f"no failure message of '{answer.misconception}' mentions {keyword!r}:\n"
        + "\n".join(f"{gid}: {out.error}" for gid, out in messages.items())
    )
    # The student sees the test line and the message, not the check machinery's frames.
    shown = {gid: out.traceback for gid, out in messages.items() if "CheckFailure" in out.error}
    leaked = [
        gid
        for gid, tb in shown.items()
        if re.search(r"checks\.py|_check_(tensor|number|sequence)\b", tb)
    ]
    assert not leaked, f"the tracebacks of {leaked} show course/checks.py frames"


@pytest.mark.slow
@pytest.mark.parametrize("answer", _cases(correct=True))
def test_right_answer_written_differently_scores_full(answer, grading_root):
    run = graded(answer.assignment, grading_root)
    raised = run.outputs
    problems = {gid: out.problem for gid, out in raised[answer.student].items() if out.problem}
    graders = [("the autograder", run.results)]
    if stock_grades(answer):
        graders.append(("stock nbgrader", run.stock))
    for grader, results in graders:
        per_cell = results[answer.student]
        lost = {gid: sm for gid, sm in per_cell.items() if sm[0] != sm[1]}
        assert not lost, (
            f"'{answer.misconception}' is correct but loses points under {grader}: "
            f"{_describe(lost)}; {problems}; {_record(run, answer.student)}"
        )
    warns = answer.tags.get("warns")
    if warns:
        notes = [out.stdout for out in raised[answer.student].values() if "note:" in out.stdout]
        assert any(warns.lower() in note.lower() for note in notes), (
            f"'{answer.misconception}' should warn about {warns!r} in a note on stdout: {notes}"
        )


@pytest.mark.parametrize("assignment", CHAPTERS)
def test_catalogue_has_three_wrong_answers_per_exercise(assignment):
    source_nb = nbformat.read(notebook_path(assignment), as_version=4)
    catalogue = answers(assignment)
    for function in solution_cells(source_nb):
        wrong = [a for a in catalogue if a.function == function and not a.correct]
        assert len(wrong) >= 3, f"{assignment}: {function} has {len(wrong)} wrong answers, needs 3"
    unknown = {a.function for a in catalogue} - set(solution_cells(source_nb))
    assert not unknown, f"{assignment}: answers for functions the notebook lacks: {unknown}"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", _chapters())
def test_feedback_of_the_catalogue_shows_no_hidden_test(assignment, grading_root):
    """`python -m autograder feedback` on the graded catalogue: no hidden line on any
    page, and the message of every test that failed in its hidden part is there."""
    run = graded(assignment, grading_root)
    results, course = run.results, run.course
    autograder("feedback", assignment, cwd=course)
    secret = hidden_lines(assignment, course / "source")
    assert secret, f"{assignment} has no hidden test line to hide"
    pages = sorted(course.glob(f"feedback/*/{assignment}/*.html"))
    pageless = sorted(set(results) - {p.parts[-3] for p in pages})
    assert not pageless, f"no page for {pageless}: " + "; ".join(_record(run, s) for s in pageless)
    assert sorted(p.parts[-3] for p in pages) == sorted(results), "a page of no student"
    shown = 0
    for page in pages:
        text = page_text(page)
        leaks = [line for line in secret if line in text]
        assert not leaks, f"{page.relative_to(course)} shows hidden test lines: {leaks}"
        autograded = course / "autograded" / page.relative_to(course / "feedback")
        for grade_id, message in hidden_failures(autograded.with_suffix(".ipynb")):
            assert message_shown(message, text), f"{page.relative_to(course)}: {grade_id} {message}"
            shown += 1
    assert shown, f"no answer of the {assignment} catalogue fails a hidden test"
