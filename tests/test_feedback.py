"""python -m autograder feedback: pages that teach and never show a hidden test.

One throwaway course of the first chapter, built once: the reference, the blank release, the
wrong-answer catalogue and a correct answer that writes to stderr, half graded by stock
`nbgrader autograde` and half by `python -m autograder grade`, each submission with the
timestamp.txt and submission_secret.txt that `nbgrader collect` leaves. The helpers at the top
are generic over chapters: tests/test_graders.py runs them on every chapter's catalogue.
"""

import csv
import hashlib
import os
import re
import shutil

import nbformat
import pytest
from coursekit import (
    DELIMITERS,
    Text,
    assignments,
    autograder,
    by_exercise,
    generate_release,
    graded_test_cells,
    hidden_failures,
    hidden_lines,
    make_course,
    message_shown,
    nbgrader,
    notebook_path,
    page_text,
    reference_answers,
    regions,
    scores,
    submit,
)
from nbgrader.utils import notebook_hash

from autograder.cells import exercise_of, nbgrader_meta

CHAPTER = assignments()[0]
NOTE = "hidden tests ran here"
STDERR = "debugging: this answer was called"
COMMENT = "Well argued; name the leaf explicitly next time."
PROBE, PROBE_WHAT = "hidden_probe", "the planted hidden probe"


def score_table(path):
    """{exercise: "score / max"} and the total, from the table at the top of a page."""
    page = path.read_text(encoding="utf-8")
    start = page.index('id="scores"')
    table = page[start : page.index("</table>", start)]
    cells = [
        [str(Text(cell)).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]
    rows = {row[0]: row[1] for row in cells[1:]}
    return rows, rows.pop("total")


# -- the course


def noisy(reference, function):
    """A correct answer that writes to stderr whenever it is called."""
    return (
        f"{reference[function]}\n\n"
        f"import sys\n_quiet_{function} = {function}\n\n"
        f"def {function}(*args, **kwargs):\n"
        f"    sys.stderr.write({STDERR!r} + '\\n')\n"
        f"    return _quiet_{function}(*args, **kwargs)\n"
    )


def plant_probe(course):
    """Add to the course's first test cell with hidden tests a hidden check that fails only
    for an answer marked with a PROBE attribute: a hidden failure whatever the chapter."""
    path = notebook_path(CHAPTER, course / "source")
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in graded_test_cells(nb) if regions(c.source)[1])
    function = exercise_of(nbgrader_meta(cell)["grade_id"])
    lines = cell.source.split("\n")
    end = max(i for i, line in enumerate(lines) if DELIMITERS[1] in line)
    lines.insert(end, f'check(getattr({function}, "{PROBE}", None), None, "{PROBE_WHAT}")')
    cell.source = "\n".join(lines)
    nbformat.write(nb, path)
    return function


def submit_collected(course, student, replacements, when):
    """A submission as `nbgrader collect` leaves it: the notebook, its timestamp and secret."""
    submit(course, CHAPTER, student, replacements)
    folder = course / "submitted" / student / CHAPTER
    (folder / "timestamp.txt").write_text(f"2026-03-0{when} 10:00:00.000000 UTC")
    (folder / "submission_secret.txt").write_text(hashlib.md5(student.encode()).hexdigest())


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("feedback") / "course", [CHAPTER])
    probed = plant_probe(course)
    generate_release(course, CHAPTER)
    reference = reference_answers(CHAPTER)
    first = next(iter(reference))
    loud = reference | {first: noisy(reference, first)}
    probe = reference | {probed: f"{reference[probed]}\n\n{probed}.{PROBE} = 'set'"}
    stock = {"reference": reference, "blank": {}, "noisy-stock": loud, "probe-stock": probe}
    fast = {"noisy-fast": loud, "probe-fast": probe}
    for student, cells in stock.items():
        submit_collected(course, student, cells, 1)
    nbgrader("autograde", CHAPTER, cwd=course)
    for student, cells in fast.items():
        submit_collected(course, student, cells, 2)
    autograder("grade", CHAPTER, *(f"--student={s}" for s in fast), cwd=course)
    comment_on(course, "reference")
    run = autograder("feedback", CHAPTER, cwd=course)
    return {"root": course, "stock": set(stock), "fast": set(fast), "run": run, "first": first}


def comment_on(course, student):
    """The instructor's comment on the answer of the first manually graded cell."""
    from nbgrader.api import Gradebook

    nb = nbformat.read(notebook_path(CHAPTER), as_version=4)
    manual = next(
        nbgrader_meta(c)["grade_id"]
        for c in nb.cells
        if nbgrader_meta(c).get("solution") and c.cell_type == "markdown"
    )
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        found = gb.find_comment(manual, notebook_path(CHAPTER).stem, CHAPTER, student)
        found.manual_comment = COMMENT
        gb.db.commit()


def pages(course):
    return {p.parts[-3]: p for p in course["root"].glob(f"feedback/*/{CHAPTER}/*.html")}


feedback_tests = pytest.mark.slow(pytest.mark.xdist_group("feedback"))


@feedback_tests
def test_pages_land_where_release_and_fetch_feedback_find_them(course, tmp_path):
    root, name = course["root"], notebook_path(CHAPTER).stem
    students = course["stock"] | course["fast"]
    assert set(pages(course)) == students
    lines = course["run"].stdout.splitlines()
    assert lines[-1] == f"{len(students)} written, 0 skipped, 0 failed"
    for student in students:
        folder = root / "feedback" / student / CHAPTER
        submitted = root / "submitted" / student / CHAPTER
        for kept in ("timestamp.txt", "submission_secret.txt"):
            assert (folder / kept).read_text() == (submitted / kept).read_text()
    exchange, cache = tmp_path / "exchange", tmp_path / "cache"
    exchange.mkdir()
    nbgrader("release_feedback", CHAPTER, f"--Exchange.root={exchange}", cwd=root)
    released = exchange / "autograd-by-doing" / "feedback"
    for student in students:
        secret = (root / "submitted" / student / CHAPTER / "submission_secret.txt").read_text()
        digest = notebook_hash(secret=secret, notebook_id=name)
        assert (released / f"{digest}.html").read_bytes() == pages(course)[student].read_bytes()
    # What a student's JupyterLab assignment list runs: fetch_feedback, from its cache.
    for student in (min(course["stock"]), min(course["fast"])):
        folder = root / "submitted" / student / CHAPTER
        stamp = (folder / "timestamp.txt").read_text()
        cached = cache / "autograd-by-doing" / f"{student}+{CHAPTER}+{stamp}"
        shutil.copytree(folder, cached)
        home = tmp_path / student
        home.mkdir()
        nbgrader(
            "fetch_feedback", CHAPTER, f"--student={student}",
            "--CourseDirectory.course_id=autograd-by-doing",
            f"--Exchange.root={exchange}", f"--Exchange.cache={cache}", cwd=home,
        )  # fmt: skip
        fetched = home / CHAPTER / "feedback" / stamp / f"{name}.html"
        assert fetched.read_bytes() == pages(course)[student].read_bytes()


@feedback_tests
def test_hidden_tests_never_shown_visible_tests_and_results_are(course):
    source_root = course["root"] / "source"  # with the planted probe
    secret = hidden_lines(CHAPTER, source_root)
    assert any(PROBE_WHAT in line for line in secret), secret
    source = nbformat.read(notebook_path(CHAPTER, source_root), as_version=4)
    visible = [
        ln.strip() for c in graded_test_cells(source) for ln in regions(c.source)[0] if ln.strip()
    ]
    with_hidden = sum(bool(regions(c.source)[1]) for c in graded_test_cells(source))
    for student, path in pages(course).items():
        text = page_text(path)
        leaks = [ln for ln in secret if ln in text]
        assert not leaks, f"{student}'s feedback shows hidden test lines: {leaks}"
        assert not [ln for ln in visible if ln not in text], f"{student}: visible tests missing"
        assert text.count(NOTE) == with_hidden
        autograded = notebook_path(CHAPTER, course["root"] / "autograded" / student)
        for cell in graded_test_cells(nbformat.read(autograded, as_version=4)):
            for out in cell.outputs:
                if out.output_type == "error":
                    assert message_shown(out.evalue, text), f"{student}: {out.evalue} missing"


@feedback_tests
def test_a_failing_hidden_tests_message_is_shown(course):
    shown = set()
    for student, path in pages(course).items():
        autograded = notebook_path(CHAPTER, course["root"] / "autograded" / student)
        text = page_text(path)
        for grade_id, message in hidden_failures(autograded):
            assert message_shown(message, text), f"{student}, {grade_id}: {message!r} missing"
            assert "(a line of the hidden tests)" in text
            shown.add(student)
    assert {"probe-stock", "probe-fast"} <= shown, shown
    assert PROBE_WHAT in page_text(pages(course)["probe-fast"])


@feedback_tests
def test_score_table_sums_each_exercise_and_shows_the_comment(course):
    from nbgrader.api import Gradebook

    graded = scores(course["root"], CHAPTER)
    with Gradebook(f"sqlite:///{course['root'] / 'gradebook.db'}") as gb:
        for student, path in pages(course).items():
            rows, total = score_table(path)
            tests = {ex: f"{s:g} / {m:g}" for ex, (s, m) in by_exercise(graded[student]).items()}
            assert {ex: rows[ex] for ex in tests} == tests, student
            assert set(rows) - set(tests), f"{student}: the manually graded answers are missing"
            sub = gb.find_submission(CHAPTER, student)
            assert total == f"{sub.score:g} / {sub.max_score:g}", student
    assert COMMENT in page_text(pages(course)["reference"])
    assert COMMENT not in page_text(pages(course)["blank"])


@feedback_tests
def test_stderr_zero_is_named_in_feedback_report_and_csv(course):
    root, first = course["root"], course["first"]
    graded = scores(root, CHAPTER)
    for student in ("noisy-stock", "noisy-fast"):
        zeroed = sorted(gid for gid, (s, m) in graded[student].items() if s == 0 < m)
        assert zeroed and {exercise_of(gid) for gid in zeroed} == {first}, zeroed
        text = page_text(pages(course)[student])
        assert text.count("scored 0 only because something was written to stderr") == len(zeroed)
        assert STDERR in text
        rows, _ = score_table(pages(course)[student])
        assert rows[first] == f"0 / {by_exercise(graded[student])[first][1]:g}"
    html_path, csv_path = autograder("report", CHAPTER, cwd=root).stdout.split()
    with open(csv_path, encoding="utf-8") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    for student, row in rows.items():
        if student.startswith("noisy"):
            assert f"scored 0 for stderr: {STDERR}" in row["stderr"] and zeroed[0] in row["stderr"]
        else:
            assert row["stderr"] == "", student
    report = page_text(root / html_path)
    assert message_shown(
        f"scored 0 only because it wrote to stderr (no check failed):\n{STDERR}", report
    )
    assert all(gid in report for gid in zeroed)


@feedback_tests
def test_newer_feedback_is_skipped_unless_regraded_or_forced(course):
    root = course["root"]
    again = autograder("feedback", CHAPTER, cwd=root).stdout.splitlines()
    assert again[-1] == f"0 written, {len(pages(course))} skipped, 0 failed"
    regraded = notebook_path(CHAPTER, root / "autograded" / "reference")
    later = pages(course)["reference"].stat().st_mtime + 5
    os.utime(regraded, (later, later))
    again = autograder("feedback", CHAPTER, cwd=root).stdout.splitlines()
    assert again[-1] == f"1 written, {len(pages(course)) - 1} skipped, 0 failed"
    assert [line.split()[1] for line in again if line.startswith("written")] == ["reference"]
    forced = autograder("feedback", CHAPTER, "--force", "--student=blank", cwd=root)
    assert forced.stdout.splitlines()[-1] == "1 written, 0 skipped, 0 failed"


@feedback_tests
def test_bad_input_is_a_usage_error(course):
    from nbgrader.api import Gradebook

    root = course["root"]
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        gb.update_or_create_assignment("99_ungraded")
    for args, says in [
        (["00_nowhere"], "no assignment '00_nowhere' in this course (it has: "),
        (["99_ungraded"], "nothing of 99_ungraded is graded yet"),
        ([CHAPTER, "--student=nobody"], f"no autograded submission of {CHAPTER} for nobody"),
        ([], "the following arguments are required: assignment"),
    ]:
        run = autograder("feedback", *args, cwd=root, check=False)
        assert run.returncode == 2 and says in run.stderr, (args, run.stderr)
