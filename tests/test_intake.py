"""Malformed submissions (intake.py): each one graded with a flag or failed with a reason.

One course, one `python -m autograder grade` for every case and an untouched reference beside
them; then what each student got. The unit tests below need no kernel and no gradebook.
"""

import copy
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field

import nbformat
import pytest
from coursekit import (
    autograder,
    generate_release,
    make_course,
    notebook_path,
    reference_answers,
    scores,
    submit,
    venv_env,
)

from autograder import intake, ledger
from autograder.cells import nbgrader_meta

CH1 = "01_requires_grad"
NAME = "requires_grad.ipynb"
TESTS = [
    "test_make_param__values",
    "test_make_param__inputs",
    "test_blitz_grad__values",
    "test_blitz_grad__input",
    "test_graph_leaves__simple",
    "test_graph_leaves__shared",
]
FULL = {gid: (1.0, 1.0) for gid in TESTS}


def heavy(test):
    return pytest.mark.slow(pytest.mark.xdist_group("intake")(test))


# -- the malformations, each a change to a copy of the reference submission's file


def edit(change):
    """A malformation that changes the notebook (read and written as nbformat 4)."""

    def apply(path):
        nb = nbformat.read(path, as_version=4)
        change(nb)
        nbformat.write(nb, path)

    return apply


def rewrite(make_text):
    """A malformation that writes the file anew from the notebook's JSON."""

    def apply(path):
        path.write_text(make_text(json.loads(path.read_text(encoding="utf-8"))))

    return apply


def at(nb, grade_id):
    return next(i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("grade_id") == grade_id)


def cell(nb, grade_id):
    return nb.cells[at(nb, grade_id)]


def delete(grade_id):
    return edit(lambda nb: nb.cells.pop(at(nb, grade_id)))


def duplicate(nb):
    twin = copy.deepcopy(cell(nb, "test_blitz_grad__values"))
    twin.id = "twin"
    nb.cells.insert(at(nb, "test_blitz_grad__values") + 1, twin)


def move(grade_id, before=None):
    """Move a cell before another, or to the end."""

    def change(nb):
        moved = nb.cells.pop(at(nb, grade_id))
        nb.cells.insert(at(nb, before) if before else len(nb.cells), moved)

    return edit(change)


def strip(grade_id, source=None):
    def change(nb):
        target = cell(nb, grade_id)
        del target.metadata["nbgrader"]
        if source is not None:
            target.source = source

    return edit(change)


def set_meta(target, **values):
    return edit(lambda nb: cell(nb, target).metadata.nbgrader.update(values))


def retype(grade_id, cell_type):
    def change(nb):
        old = cell(nb, grade_id)
        new = nbformat.v4.new_raw_cell if cell_type == "raw" else nbformat.v4.new_markdown_cell
        nb.cells[at(nb, grade_id)] = new(old.source, metadata=old.metadata, id=old.id)

    return edit(change)


def set_source(grade_id, source):
    return edit(lambda nb: setattr(cell(nb, grade_id), "source", source))


def as_v3(raw, drop=None):
    nb = nbformat.reads(json.dumps(raw), as_version=4)
    if drop:
        nb.cells.pop(at(nb, drop))
    return nbformat.writes(nb, version=3)


def big_output(nb):
    text = "x" * (3 << 19)  # 1.5 MB, over the course's limit of 1 MB below
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]


def rename_file(*names):
    def apply(path):
        for name in names:
            shutil.copy(path, path.with_name(name))
        path.unlink()

    return apply


def extra_files(path):
    (path.parent / "notes.txt").write_text("my notes")
    (path.parent / "data").mkdir()
    (path.parent / "data" / "x.csv").write_text("1,2\n")
    shutil.copy(path, path.with_name("scratch.ipynb"))


def no_source(raw):
    del raw["cells"][3]["source"]
    return json.dumps(raw)


@dataclass
class Case:
    student: str
    malform: object
    fails: str = ""  # the reason it fails; or else
    flags: list = field(default_factory=list)  # the flags it is graded with, after NAME
    scores: dict = field(default_factory=dict)  # test cells that do not score 1 of 1


CASES = [
    Case("reference", lambda path: None),
    Case(
        "bad-json",
        lambda path: path.write_text('{\n "cells": [\n    oops\n'),
        fails=f"{NAME} is not valid JSON (line 3, column 5): ask the student to resubmit",
    ),
    Case("empty-file", lambda path: path.write_text(""), fails=f"{NAME} is empty"),
    Case(
        "nbformat-3",
        rewrite(as_v3),
        flags=["saved as nbformat 3, converted to 4"],
    ),
    Case(
        "nbformat-3-lost-a-test",
        rewrite(lambda raw: as_v3(raw, drop="test_make_param__values")),
        fails=f"{NAME} was saved as nbformat 3 and lost its graded cells (test_make_param__values)",
    ),
    Case(
        "nbformat-6",
        rewrite(lambda raw: json.dumps(raw | {"nbformat": 6, "nbformat_minor": 0})),
        fails=f"{NAME} is nbformat 6.0, newer than the nbformat 4 this grader reads",
    ),
    Case(
        "nbformat-5-99",
        rewrite(lambda raw: json.dumps(raw | {"nbformat": 5, "nbformat_minor": 99})),
        fails=f"{NAME} is nbformat 5.99, newer than the nbformat 4 this grader reads",
    ),
    Case(
        "nbformat-4-99",
        rewrite(lambda raw: json.dumps(raw | {"nbformat_minor": 99})),
        flags=["saved as nbformat 4.99, read as 4.5"],
    ),
    Case(
        "schema-invalid",
        rewrite(no_source),
        fails=f"{NAME} is not a valid notebook (cells/3: 'source' is a required property)",
    ),
    Case(
        "deleted-test",
        delete("test_make_param__values"),
        flags=["test cell test_make_param__values is missing: it scores 0"],
        scores={"test_make_param__values": (0.0, 1.0)},
    ),
    Case(
        "deleted-answer",
        delete("blitz_grad"),
        flags=["answer cell blitz_grad is missing"],
        scores={"test_blitz_grad__values": (0.0, 1.0), "test_blitz_grad__input": (0.0, 1.0)},
    ),
    Case(
        "duplicated-test",
        edit(duplicate),
        flags=["test cell test_blitz_grad__values appears 2 times (the last copy is graded)"],
    ),
    Case(
        "test-before-answer",
        move("test_graph_leaves__simple", before="graph_leaves"),
        flags=["cells moved out of the released order: test_graph_leaves__simple"],
        scores={"test_graph_leaves__simple": (0.0, 1.0)},  # graph_leaves is not defined yet
    ),
    Case(
        "test-at-the-end",
        move("test_make_param__inputs"),
        flags=["cells moved out of the released order: test_make_param__inputs"],
    ),
    Case(
        "stripped-test",
        strip("test_make_param__inputs"),
        flags=["test cell test_make_param__inputs had its nbgrader metadata removed (restored)"],
    ),
    Case(
        "stripped-and-emptied-test",
        strip("test_make_param__inputs", source="pass"),
        flags=["test cell test_make_param__inputs is missing: it scores 0"],
        scores={"test_make_param__inputs": (0.0, 1.0)},
    ),
    Case(
        "renamed-test-id",
        set_meta("test_blitz_grad__input", grade_id="my_test"),
        flags=["test cell test_blitz_grad__input had its grade_id changed to my_test (restored)"],
    ),
    Case(
        "renamed-answer-id",
        set_meta("make_param", grade_id="make_param_v2"),
        flags=["answer cell make_param had its grade_id changed to make_param_v2 (restored)"],
    ),
    Case(
        "points",
        set_meta("test_make_param__values", points=100),
        flags=["test cell test_make_param__values points changed from 1 to 100 (restored)"],
    ),
    Case(
        "nbgrader-schema",
        set_meta("test_graph_leaves__shared", schema_version=4),
        flags=[
            "test cell test_graph_leaves__shared had its nbgrader metadata changed: "
            "schema_version (restored)"
        ],
    ),
    Case(
        "edited-test",
        set_source("test_graph_leaves__shared", "pass"),
        flags=["test cell test_graph_leaves__shared was edited (restored from the release)"],
    ),
    Case(
        "markdown-test",
        retype("test_graph_leaves__shared", "markdown"),
        flags=["test cell test_graph_leaves__shared was turned into markdown (restored to code)"],
    ),
    Case(
        "raw-test",
        retype("test_graph_leaves__simple", "raw"),
        flags=["test cell test_graph_leaves__simple was turned into raw (restored to code)"],
    ),
    Case(
        "renamed-notebook",
        rename_file("requires_grad (1).ipynb"),
        flags=["graded from requires_grad (1).ipynb (renamed)"],
    ),
    Case(
        "two-renamed-notebooks",
        rename_file("Copy of requires_grad.ipynb", "scratch.ipynb"),
        fails=f"no {NAME} in the submission (found Copy of requires_grad.ipynb, scratch.ipynb)",
    ),
    Case(
        "huge",
        edit(big_output),
        fails=f"{NAME} is 1.5 MB, over the 1 MB limit (c.Autograder.max_notebook_mb)",
    ),
    Case("extra-files", extra_files),
]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The course after one batch graded every case; and a copy of it from before."""
    course = make_course(tmp_path_factory.mktemp("intake") / "course", [CH1])
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as f:
        f.write("\nc.Autograder.max_notebook_mb = 1\n")
    generate_release(course, CH1)
    for case in CASES:
        submit(course, CH1, case.student, reference_answers(CH1))
        case.malform(course / "submitted" / case.student / CH1 / NAME)
    before = shutil.copytree(course, course.with_name("before"))
    run = autograder("grade", CH1, cwd=course)
    return course, before, run.stdout


@heavy
@pytest.mark.parametrize("case", CASES, ids=[c.student for c in CASES])
def test_each_malformed_submission_is_flagged_or_failed_with_its_reason(graded, case):
    course, _, _ = graded
    record = ledger.latest(course, CH1)[case.student]
    if case.fails:
        assert record["status"] == "failed", record
        assert record["flags"] == [] and len(record["problems"]) == 1
        assert record["problems"][0].startswith(f"failed: Malformed: {case.fails}")
        assert not (course / "autograded" / case.student).exists()
        return
    assert record["status"] == "graded" and record["problems"] == [], record
    assert record["flags"] == [f"{NAME}: {flag}" for flag in case.flags]
    assert scores(course, CH1)[case.student] == FULL | case.scores
    assert record["notebooks"] == [NAME]
    nbformat.validate(nbformat.read(notebook_path(CH1, course / "autograded" / case.student), 4))


@heavy
def test_the_summary_lists_failures_and_flags(graded):
    course, _, out = graded
    failed = sum(bool(c.fails) for c in CASES)
    totals = f"{len(CASES) - failed} graded, {failed} failed in "
    assert any(line.startswith(totals) for line in out.splitlines()), out
    assert "not valid JSON (line 3, column 5)" in out


@heavy
def test_a_missing_test_cell_scores_zero_and_needs_a_person(graded):
    from nbgrader.api import Gradebook

    course, _, _ = graded
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        grade = gb.find_grade("test_make_param__values", "requires_grad", CH1, "deleted-test")
        assert grade.auto_score == 0 and grade.needs_manual_grade
        assert not gb.find_grade(
            "test_make_param__values", "requires_grad", CH1, "reference"
        ).needs_manual_grade


@heavy
def test_stock_nbgrader_aborts_the_whole_run_on_a_duplicated_test_cell(graded):
    """Stock says the metadata format is outdated, and grades nobody after that student."""
    _, before, _ = graded
    for student in (before / "submitted").iterdir():
        if student.name not in ("duplicated-test", "reference"):
            shutil.rmtree(student)
    stock = subprocess.run(
        [sys.executable, "-m", "nbgrader", "autograde", CH1],
        cwd=before, env=venv_env(), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert stock.returncode != 0
    said = " ".join((stock.stdout + stock.stderr).split())
    assert "use an old version of the nbgrader metadata format" in said
    assert not (before / "autograded" / "reference").exists()


# -- no kernel, no gradebook


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_read_says_where_the_json_breaks(tmp_path):
    path = write(tmp_path / "a.ipynb", '{"cells": [1,\n  2,,]}')
    with pytest.raises(intake.Malformed, match=r"a.ipynb is not valid JSON \(line 2, column 5\)"):
        intake.read(path, "a.ipynb", 20)
    path.write_bytes(b'{"a": "\xff"}')
    with pytest.raises(intake.Malformed, match="is not UTF-8 text"):
        intake.read(path, "a.ipynb", 20)
    write(path, "[1, 2]")
    with pytest.raises(intake.Malformed, match="is JSON but not a notebook"):
        intake.read(path, "a.ipynb", 20)


def test_read_refuses_a_huge_file_without_reading_it(tmp_path):
    path = tmp_path / "a.ipynb"
    with open(path, "wb") as f:
        f.truncate(64 << 30)  # sparse: 64 GB that take no disk, and would not fit in memory
    with pytest.raises(intake.Malformed, match=r"is 65536.0 MB, over the 20 MB limit"):
        intake.read(path, "a.ipynb", 20)
    with pytest.raises(intake.Malformed, match="is not a file"):
        intake.read(tmp_path, "a.ipynb", 20)


def test_read_converts_old_formats_and_flags_them(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    path = write(tmp_path / "a.ipynb", nbformat.writes(copy.deepcopy(nb), version=3))
    read, major, flags = intake.read(path, "a.ipynb", 20)
    assert (major, read.nbformat, read.cells[0].source) == (3, 4, "1 + 1")
    assert flags == ["a.ipynb: saved as nbformat 3, converted to 4"]
    assert intake.read(write(path, nbformat.writes(nb)), "a.ipynb", 20)[1:] == (4, [])


def test_match_grades_a_lone_renamed_notebook_under_its_name():
    assert intake.match(["s/a.ipynb", "s/x.ipynb"], ["a"]) == ({"a": "s/a.ipynb"}, [])
    found, flags = intake.match(["s/a (1).ipynb"], ["a"])
    assert found == {"a": "s/a (1).ipynb"} and flags == [
        "a.ipynb: graded from a (1).ipynb (renamed)"
    ]
    found, flags = intake.match(["s/a.ipynb", "s/x.ipynb", "s/y.ipynb"], ["a", "b"])
    assert found == {"a": "s/a.ipynb"} and flags == ["b.ipynb is missing: it scores 0"]
    with pytest.raises(
        intake.Malformed, match=r"no a.ipynb in the submission \(found x.ipynb, y.ipynb\)"
    ):
        intake.match(["s/x.ipynb", "s/y.ipynb"], ["a"])


def expected_cells():
    """What a gradebook would expect of the notebook made by `notebook()`."""

    def meta(grade_id, grade=False, solution=False, locked=False, points=None):
        m = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3}
        m |= {"solution": solution, "task": False}
        return m | ({"points": points} if points is not None else {})

    test = "assert f() == 1\n### BEGIN HIDDEN TESTS\nassert f() != 2\n### END HIDDEN TESTS"
    cells = [
        intake.Cell("f", "answer", "code", meta("f", solution=True), ("", "")),
        intake.Cell(
            "test_f",
            "test",
            "code",
            meta("test_f", grade=True, locked=True, points=2.0),
            (intake.released(test), test),
        ),
        intake.Cell(
            "note", "read-only", "markdown", meta("note", locked=True), ("Do it.", "Do it.")
        ),
    ]
    return {c.grade_id: c for c in cells}


def notebook():
    """A submission as released: each cell with the metadata the gradebook expects."""
    cells = expected_cells()
    nb = nbformat.v4.new_notebook()
    for c, source in zip(cells.values(), ["def f():\n    return 1", None, None], strict=True):
        new = (
            nbformat.v4.new_markdown_cell
            if c.cell_type == "markdown"
            else nbformat.v4.new_code_cell
        )
        nb.cells.append(new(source or c.sources[0], metadata={"nbgrader": dict(c.meta)}))
    nb.cells.insert(1, nbformat.v4.new_code_cell("print('mine')"))
    return nb


def check(change):
    nb = notebook()
    change(nb)
    return intake.check(nb, "n.ipynb", expected_cells()), nb


def test_released_cuts_hidden_tests():
    assert intake.released("a\n### BEGIN HIDDEN TESTS\nb\n### END HIDDEN TESTS\nc") == "a\nc"


def test_check_passes_a_notebook_as_released():
    assert check(lambda nb: None)[0] == ([], [])


@pytest.mark.parametrize(
    "change, flags, unscored",
    [
        (lambda nb: nb.cells.pop(2), ["test cell test_f is missing: it scores 0"], ["test_f"]),
        (lambda nb: nb.cells.pop(0), ["answer cell f is missing"], []),
        (lambda nb: nb.cells.pop(3), ["read-only cell note is missing"], []),
        (
            lambda nb: nb.cells.insert(3, copy.deepcopy(nb.cells[2])),
            ["test cell test_f appears 2 times (the last copy is graded)"],
            [],
        ),
        (
            lambda nb: nb.cells.insert(0, nb.cells.pop(2)),
            ["cells moved out of the released order: test_f"],
            [],
        ),
        (
            lambda nb: nb.cells[2].metadata.clear(),
            ["test cell test_f had its nbgrader metadata removed (restored)"],
            [],
        ),
        (
            lambda nb: nb.cells[2].metadata.nbgrader.update(grade_id="other"),
            ["test cell test_f had its grade_id changed to other (restored)"],
            [],
        ),
        (
            lambda nb: nb.cells[1].metadata.update(nbgrader={"grade_id": "x", "grade": True}),
            ["unknown nbgrader cell x (not in the release: kept as an ordinary cell)"],
            [],
        ),
        (
            lambda nb: nb.cells[2].metadata.nbgrader.update(points="lots"),
            ["test cell test_f points changed from 2 to lots (restored)"],
            [],
        ),
        (
            lambda nb: nb.cells[2].metadata.nbgrader.update(solution=True, foo=1),
            ["test cell test_f had its nbgrader metadata changed: foo, solution (restored)"],
            [],
        ),
        (
            lambda nb: nb.cells[3].update(source="Don't."),
            ["read-only cell note was edited (restored from the release)"],
            [],
        ),
        (
            lambda nb: nb.cells[2].metadata.nbgrader.pop("grade_id"),
            ["test cell test_f had its grade_id removed (restored)"],
            [],
        ),
        (
            lambda nb: nb.cells[1].metadata.update(nbgrader={"solution": True}),
            ["nbgrader cell without grade_id (not in the release: kept as an ordinary cell)"],
            [],
        ),
        (
            lambda nb: nb.cells[1].metadata.update(nbgrader="junk"),
            ["cell #2 had malformed nbgrader metadata (dropped)"],
            [],
        ),
    ],
)
def test_check_flags_each_change(change, flags, unscored):
    (found, missing), nb = check(change)
    assert found == [f"n.ipynb: {flag}" for flag in flags] and missing == unscored
    if not any(word in flags[0] for word in ("missing", "moved", "edited")):
        assert intake.check(nb, "n.ipynb", expected_cells()) == ([], [])  # repaired


def test_check_restores_the_cell_type_and_metadata():
    def markdown(nb):
        nb.cells[2] = nbformat.v4.new_markdown_cell(
            nb.cells[2].source, metadata=nb.cells[2].metadata
        )

    (flags, _), nb = check(markdown)
    assert flags == ["n.ipynb: test cell test_f was turned into markdown (restored to code)"]
    assert nb.cells[2].cell_type == "code" and nb.cells[2].outputs == []
    nbformat.validate(nb)


def test_out_of_order_names_the_cells_that_moved():
    assert intake.out_of_order(list("abcde"), list("abcde")) == []
    assert intake.out_of_order(list("abcde"), list("acdbe")) == ["b"]
    assert intake.out_of_order(list("abcde"), list("eabcd")) == ["e"]
