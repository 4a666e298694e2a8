"""release/ is what nbgrader generates from source/, and it gives nothing away."""

import filecmp

import nbformat
import pytest
from coursekit import (
    RELEASE,
    SOURCE,
    assignments,
    generate_release,
    make_course,
    notebook_path,
    solution_cells,
)

from autograder.cells import nbgrader_meta

LEAKS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("release"))
    return {a: generate_release(course, a) for a in assignments()}


@pytest.mark.slow
@pytest.mark.parametrize("assignment", assignments())
def test_release_is_in_sync_with_source(assignment, regenerated):
    fresh, committed = regenerated[assignment], RELEASE / assignment
    assert committed.is_dir(), f"release/{assignment} is missing: run `make release`"
    cmp = filecmp.dircmp(fresh, committed)
    assert not cmp.left_only and not cmp.right_only, (
        f"release/{assignment} files differ from a fresh nbgrader release "
        f"(only fresh: {cmp.left_only}, only committed: {cmp.right_only}): run `make release`"
    )
    for name in cmp.common_files:
        if name.endswith(".ipynb"):
            same = nbformat.read(fresh / name, 4) == nbformat.read(committed / name, 4)
        else:
            same = filecmp.cmp(fresh / name, committed / name, shallow=False)
        assert same, f"release/{assignment}/{name} is stale: run `make release`"


@pytest.mark.parametrize("assignment", assignments())
def test_release_holds_no_solution_and_no_hidden_test(assignment):
    source = nbformat.read(notebook_path(assignment), 4)
    release = nbformat.read(notebook_path(assignment, RELEASE), 4)
    for cell in release.cells:
        for marker in LEAKS:
            assert marker not in cell.source, f"release/{assignment} still holds '{marker}'"
    for grade_id, cell in solution_cells(release).items():
        assert "raise NotImplementedError()" in cell.source, f"{grade_id} is not a stub"
    # Lines that only a solution or a hidden test contains must not appear anywhere.
    released = "\n".join(c.source for c in release.cells)
    secret, public = _split_lines(source)
    for line in secret - public:
        assert line not in released, f"release/{assignment} leaks: {line!r}"


@pytest.mark.parametrize("assignment", assignments())
def test_release_has_no_outputs(assignment):
    release = nbformat.read(notebook_path(assignment, RELEASE), 4)
    executed = [i for i, c in enumerate(release.cells) if c.get("outputs")]
    assert not executed, f"release/{assignment} cells {executed} carry outputs"


def _split_lines(nb):
    """Long lines inside solution or hidden-test blocks, and those outside any block."""
    secret, public = set(), set()
    for cell in nb.cells:
        inside = False
        for line in (ln.strip() for ln in cell.source.split("\n")):
            if line in ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS"):
                inside = True
            elif line in ("### END SOLUTION", "### END HIDDEN TESTS"):
                inside = False
            elif len(line) > 30:
                (secret if inside else public).add(line)
    return secret, public


def test_every_source_folder_is_an_assignment():
    folders = sorted(p.name for p in SOURCE.iterdir() if p.is_dir())
    assert folders == assignments(), "a source/ folder has no notebook"
    for a in assignments():
        nb = nbformat.read(notebook_path(a), 4)
        assert any(nbgrader_meta(c).get("grade") for c in nb.cells), f"{a} has no graded cell"
