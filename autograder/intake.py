"""Intake: read each submitted notebook and hold it against the gradebook before nbgrader does.

Stock `nbgrader autograde` meets a malformed submission in one of three ways. It repairs some
tampering from the gradebook and tells nobody but its log: a locked cell's source, its points,
its cell type. It fails the student on others: a changed grade_id, changed nbgrader marks, a
file it cannot read. On a duplicated test cell (one copy and paste) or a changed metadata
schema_version it aborts the whole run ("use an old version of the nbgrader metadata format").
A test cell that was deleted or lost its metadata it never grades: a regrade keeps the score
of the grading before.

Here every notebook is read and checked first. Where the submission can be graded fairly it is
repaired as nbgrader would repair it, and flagged, so that a person looks at it; where it
cannot, it fails with a reason that says what is wrong with the file and what to do.
"""

import difflib
import json
import os
from dataclasses import dataclass, field

import nbformat
from nbgrader.nbgraderformat import SCHEMA_VERSION
from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme

from autograder.cells import nbgrader_meta

RESUBMIT = "ask the student to resubmit from a fresh copy of the release"
MB = 1 << 20


class Malformed(Exception):
    """A submitted file that cannot be graded: the message says what is wrong and what to do."""


@dataclass(frozen=True)
class Cell:
    """A cell nbgrader tracks, as the gradebook has it."""

    grade_id: str
    kind: str  # test, answer, task or read-only
    cell_type: str
    meta: dict  # the nbgrader metadata it carries in the release, checksum aside
    sources: tuple  # as released (hidden tests cut), as in the gradebook

    @property
    def what(self):
        return f"{self.kind} cell {self.grade_id}"

    @property
    def scored(self):
        return self.meta["grade"] or self.meta["task"]


@dataclass
class Admitted:
    """A notebook that can be graded: read, checked, repaired where nbgrader would repair it."""

    name: str  # its name in the gradebook
    nb: nbformat.NotebookNode
    unscored: list = field(default_factory=list)  # grade_ids of its missing graded cells


def admit(paths, expected, max_mb):
    """([Admitted] for the submitted `paths`, flags), or Malformed.

    expected: {notebook name: {grade_id: Cell}}, what the gradebook expects (expectations).
    """
    files, flags = match(paths, sorted(expected))
    admitted = []
    for name, path in files.items():
        nb, major, read_flags = read(path, f"{name}.ipynb", max_mb)
        cell_flags, unscored = check(nb, f"{name}.ipynb", expected[name])
        if major < nbformat.current_nbformat and unscored:
            raise Malformed(
                f"{name}.ipynb was saved as nbformat {major} and lost its graded cells "
                f"({', '.join(unscored)}) on the way: {RESUBMIT}"
            )
        admitted.append(Admitted(name, nb, unscored))
        flags += read_flags + cell_flags
    return admitted, flags


# -- which file is which notebook


def match(paths, names):
    """({notebook name: its file}, flags): a lone unexpected notebook stands in for a lone
    missing one, as "requires_grad (1).ipynb" or "Copy of requires_grad.ipynb" would."""
    by_name = {os.path.splitext(os.path.basename(p))[0]: p for p in paths}
    found = {n: by_name[n] for n in names if n in by_name}
    missing = [n for n in names if n not in found]
    extra = sorted(p for n, p in by_name.items() if n not in names)
    if len(missing) == 1 and len(extra) == 1:
        found[missing[0]] = extra[0]
        renamed = f"{missing[0]}.ipynb: graded from {os.path.basename(extra[0])} (renamed)"
        return dict(sorted(found.items())), [renamed]
    if not found:
        others = ", ".join(os.path.basename(p) for p in extra) or "nothing"
        raise Malformed(
            f"no {', '.join(f'{n}.ipynb' for n in missing)} in the submission (found {others}): "
            "ask the student to resubmit the notebook under its released name"
        )
    return found, [f"{n}.ipynb is missing: it scores 0" for n in missing]


# -- the file


def read(path, name, max_mb):
    """(the notebook as nbformat 4, its nbformat major, flags), or Malformed saying why not."""
    if not os.path.isfile(path):
        raise Malformed(f"{name} is not a file: {RESUBMIT}")
    size = os.path.getsize(path)
    if size > max_mb * MB:  # before reading it: it may not fit in memory
        raise Malformed(
            f"{name} is {size / MB:.1f} MB, over the {max_mb:g} MB limit "
            "(c.Autograder.max_notebook_mb): ask the student to clear all outputs "
            "(Kernel > Restart and Clear All Outputs) and resubmit"
        )
    with open(path, "rb") as f:
        text = decode(f.read(), name)
    major, minor = version(parse(text, name), name)
    if major > nbformat.current_nbformat:
        raise Malformed(
            f"{name} is nbformat {major}.{minor}, newer than the nbformat "
            f"{nbformat.current_nbformat} this grader reads: {RESUBMIT}"
        )
    try:
        nb = nbformat.reads(text, as_version=nbformat.current_nbformat)
    except Exception as err:
        raise Malformed(
            f"{name} is not a notebook nbformat can read ({type(err).__name__}: {err}): {RESUBMIT}"
        ) from err
    flags = []
    if major < nbformat.current_nbformat:
        flags.append(f"{name}: saved as nbformat {major}, converted to {nbformat.current_nbformat}")
    elif minor > nbformat.current_nbformat_minor:
        nb.nbformat_minor = nbformat.current_nbformat_minor  # validated as the newest we know
        flags.append(
            f"{name}: saved as nbformat {major}.{minor}, read as {major}.{nb.nbformat_minor}"
        )
    validate(nb, name)
    return nb, major, flags


def decode(data, name):
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise Malformed(f"{name} is not UTF-8 text (byte {err.start}): {RESUBMIT}") from None


def parse(text, name):
    if not text.strip():
        raise Malformed(f"{name} is empty: {RESUBMIT}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise Malformed(
            f"{name} is not valid JSON (line {err.lineno}, column {err.colno}): {RESUBMIT}"
        ) from None


def version(raw, name):
    major = raw.get("nbformat") if isinstance(raw, dict) else None
    minor = raw.get("nbformat_minor", 0) if isinstance(raw, dict) else None
    if not isinstance(major, int) or not isinstance(minor, int):
        raise Malformed(f"{name} is JSON but not a notebook (no nbformat version): {RESUBMIT}")
    return major, minor


def validate(nb, name):
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as err:
        where = "/".join(map(str, err.absolute_path)) or "top level"
        raise Malformed(
            f"{name} is not a valid notebook ({where}: {err.message[:80]}): {RESUBMIT}"
        ) from None


# -- what the gradebook expects


def expectations(gb, assignment, source_dir, parent=None):
    """{notebook name: {grade_id: Cell}} for each notebook of `assignment`."""
    books = {}
    for notebook in gb.find_assignment(assignment).notebooks:
        order = source_order(os.path.join(source_dir, f"{notebook.name}.ipynb"))
        books[notebook.name] = expected(gb, assignment, notebook.name, order, parent)
    return books


def source_order(path):
    """The grade_ids of the source notebook in order: the gradebook keeps no order of its own."""
    if not os.path.exists(path):
        return []
    nb = nbformat.read(path, as_version=nbformat.current_nbformat)
    return [nbgrader_meta(cell).get("grade_id") for cell in nb.cells if nbgrader_meta(cell)]


def expected(gb, assignment, name, order=(), parent=None):
    """{grade_id: Cell} for notebook `name`, in the order of `order`, then the gradebook's."""
    notebook = gb.find_notebook(name, assignment)
    grades = {c.name: c.max_score for c in notebook.grade_cells}
    tasks = {c.name: c.max_score for c in notebook.task_cells}
    solutions = {c.name for c in notebook.solution_cells}
    cutters = ClearHiddenTests(parent=parent), ClearMarkScheme(parent=parent)
    cells = []
    for src in notebook.source_cells:
        grade, task, solution = src.name in grades, src.name in tasks, src.name in solutions
        meta = {"grade": grade, "grade_id": src.name, "locked": src.locked}
        meta |= {"schema_version": SCHEMA_VERSION, "solution": solution, "task": task}
        if grade or task:
            meta["points"] = grades.get(src.name, tasks.get(src.name))
        kind = "answer" if solution else "test" if grade else "task" if task else "read-only"
        sources = (released(src.source, *cutters), src.source)
        cells.append(Cell(src.name, kind, src.cell_type, meta, sources))
    rank = {gid: i for i, gid in enumerate(order)}
    cells.sort(key=lambda c: rank.get(c.grade_id, len(rank)))  # stable: the rest keep theirs
    return {c.grade_id: c for c in cells}


def released(source, tests=None, scheme=None):
    """A cell's source as students got it: generate_assignment cuts hidden tests and mark
    schemes after it saved the cell to the gradebook, and autograde puts them back."""
    cell = nbformat.v4.new_code_cell(source)
    (tests or ClearHiddenTests())._remove_hidden_test_region(cell)
    (scheme or ClearMarkScheme())._remove_mark_scheme_region(cell)
    return cell.source


# -- the cells


def check(nb, name, cells):
    """Hold `nb`'s cells against `cells` (expected), repairing what nbgrader would repair.

    Returns (flags, grade_ids of graded cells that are missing: they score 0).
    """
    flags = []
    say = lambda text: flags.append(f"{name}: {text}")
    found = index(nb, cells, say)
    restore_stripped(nb, cells, found, say)
    for grade_id, cell in found.items():
        compare(cell, cells[grade_id], say)
    moved = out_of_order([gid for gid in cells if gid in found], marked_order(nb, found))
    if moved:
        say(f"cells moved out of the released order: {', '.join(moved)}")
    missing = [cells[gid] for gid in cells if gid not in found]
    for cell in missing:
        say(f"{cell.what} is missing" + (": it scores 0" if cell.scored else ""))
    return flags, [c.grade_id for c in missing if c.scored]


def index(nb, cells, say):
    """{grade_id: the cell graded for it}: the last copy of a duplicate, as DeduplicateIds
    keeps; a cell renamed to an unknown grade_id is renamed back where it can be told."""
    copies = {}
    for i, cell in enumerate(nb.cells):
        meta = nbgrader_meta(cell)
        if "nbgrader" in cell.metadata and not meta:
            del cell.metadata["nbgrader"]  # not a dict: nbgrader would crash on it
            say(f"cell #{i + 1} had malformed nbgrader metadata (dropped)")
        elif meta.get("grade_id") or any(meta.get(k) for k in ("grade", "solution", "locked")):
            copies.setdefault(meta.get("grade_id") or "", []).append(cell)
    found = {gid: same[-1] for gid, same in copies.items() if gid in cells}
    for grade_id, same in copies.items():
        if grade_id in cells and len(same) > 1:
            say(f"{cells[grade_id].what} appears {len(same)} times (the last copy is graded)")
            for cell in same[:-1]:
                del cell.metadata["nbgrader"]  # now an ordinary cell, as DeduplicateIds leaves it
    for grade_id, same in copies.items():
        if grade_id not in cells:
            for cell in same:
                rename(cell, grade_id, cells, found, say)
    return found


def rename(cell, grade_id, cells, found, say):
    """A cell with a grade_id the gradebook does not know: whose is it?"""
    absent = [c for c in cells.values() if c.grade_id not in found]
    meant = [c for c in absent if c.meta["locked"] and cell.source in c.sources]
    if not meant and nbgrader_meta(cell).get("solution"):
        answers = [c for c in absent if c.kind == "answer"]
        meant = answers if len(answers) == 1 else []
    if len(meant) == 1:
        cell.metadata["nbgrader"]["grade_id"] = meant[0].grade_id
        found[meant[0].grade_id] = cell
        change = f"changed to {grade_id}" if grade_id else "removed"
        say(f"{meant[0].what} had its grade_id {change} (restored)")
    else:
        del cell.metadata["nbgrader"]
        unknown = (
            f"unknown nbgrader cell {grade_id}" if grade_id else "nbgrader cell without grade_id"
        )
        say(f"{unknown} (not in the release: kept as an ordinary cell)")


def restore_stripped(nb, cells, found, say):
    """A locked cell that lost its nbgrader metadata is known by its source."""
    plain = [cell for cell in nb.cells if "nbgrader" not in cell.metadata]
    for grade_id, expect in cells.items():
        if grade_id in found or not expect.meta["locked"]:
            continue
        same = [cell for cell in plain if cell.source in expect.sources]
        if same:
            same[-1].metadata["nbgrader"] = dict(expect.meta, cell_type=expect.cell_type)
            found[grade_id] = same[-1]
            say(f"{expect.what} had its nbgrader metadata removed (restored)")


def compare(cell, expect, say):
    """Cell type, nbgrader metadata and (if locked) source as released. The first two are
    repaired here, as OverwriteCells would (it crashes on some); it restores the source."""
    if cell.cell_type != expect.cell_type:
        say(f"{expect.what} was turned into {cell.cell_type} (restored to {expect.cell_type})")
        set_type(cell, expect.cell_type)
    meta = {k: v for k, v in nbgrader_meta(cell).items() if k not in ("checksum", "cell_type")}
    changed = sorted(
        k for k in meta.keys() | expect.meta.keys() if meta.get(k) != expect.meta.get(k)
    )
    if changed == ["points"]:
        got, want = meta.get("points"), expect.meta["points"]
        say(f"{expect.what} points changed from {want:g} to {got} (restored)")
    elif changed:
        say(f"{expect.what} had its nbgrader metadata changed: {', '.join(changed)} (restored)")
    if changed:
        cell.metadata["nbgrader"] = dict(expect.meta, cell_type=expect.cell_type)
    if expect.meta["locked"] and cell.source not in expect.sources:
        say(f"{expect.what} was edited (restored from the release)")


def set_type(cell, cell_type):
    cell.cell_type = cell_type
    if cell_type == "code":
        cell.outputs, cell.execution_count = [], None
        cell.pop("attachments", None)
    else:
        cell.pop("outputs", None)
        cell.pop("execution_count", None)


def marked_order(nb, found):
    graded = {id(cell): gid for gid, cell in found.items()}
    return [graded[id(cell)] for cell in nb.cells if id(cell) in graded]


def out_of_order(expected_order, actual):
    """The grade_ids not on a longest common run of the two orders: those that moved."""
    matcher = difflib.SequenceMatcher(None, expected_order, actual, autojunk=False)
    kept = {
        gid
        for block in matcher.get_matching_blocks()
        for gid in actual[block.b : block.b + block.size]
    }
    return [gid for gid in actual if gid not in kept]


# -- the gradebook


def unscore(gb, assignment, admitted, student):
    """Graded cells missing from a notebook score 0, not whatever an earlier grading left."""
    for grade_id in admitted.unscored:
        grade = gb.find_grade(grade_id, admitted.name, assignment, student)
        grade.auto_score, grade.needs_manual_grade = 0.0, False
    gb.db.commit()
