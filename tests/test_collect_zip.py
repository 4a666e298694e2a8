"""A hostile LMS zip (zip slip): `collect` refuses what would write outside submitted/.

No kernel and no gradebook: course_facts is replaced by the assignment's one notebook and its
students, and collect() is called directly.
"""

import zipfile
from types import SimpleNamespace

import nbformat
import pytest
from nbgrader.coursedir import CourseDirectory

from autograder import collect as collect_module
from autograder.config import LMS_PATTERN

A1 = "01_requires_grad"
NOTEBOOK = nbformat.writes(nbformat.v4.new_notebook()).encode()
SYMLINK = 0o120777 << 16  # external_attr of a Unix symlink: S_IFLNK | rwxrwxrwx


@pytest.fixture
def course(tmp_path, monkeypatch):
    course = tmp_path / "course"
    course.mkdir()
    monkeypatch.setattr(collect_module, "course_facts", lambda *_: (["requires_grad"], set()))
    return course


def run_collect(course, entries, tmp_path):
    """Zip the entries ({name: bytes}, or (bytes, external_attr)) and collect it into course."""
    zip_path = tmp_path / "lms.zip"
    with zipfile.ZipFile(zip_path, "w") as zf:
        for i, (name, data) in enumerate(entries.items()):
            info = zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, i * 2))
            if isinstance(data, tuple):
                data, info.external_attr = data
                info.create_system = 3  # Unix, where the mode bits mean something
            zf.writestr(info, data)
    app = SimpleNamespace(coursedir=CourseDirectory(root=str(course)))
    settings = SimpleNamespace(collect_pattern=LMS_PATTERN)
    return collect_module.collect(app, settings, zip_path, A1)


def files_under(path):
    return sorted(p.relative_to(path).as_posix() for p in path.rglob("*") if not p.is_dir())


def test_hostile_entries_are_refused_by_name_and_the_rest_imported(course, tmp_path, capsys):
    absolute = (tmp_path / "abs.ipynb").as_posix()
    hostile = {
        "../../evil.ipynb": "has '..'",
        "../../ann_3_4_requires_grad.ipynb": "has '..'",
        "a/../../b.ipynb": "has '..'",
        "..\\..\\ann_5_6_requires_grad.ipynb": "has '..'",
        absolute: "is an absolute path",
        "/tmp/ann_7_8_requires_grad.ipynb": "is an absolute path",
        "C:\\Users\\ann_1_1_requires_grad.ipynb": "is an absolute path",
        "\\\\server\\share\\ann_2_2_requires_grad.ipynb": "is an absolute path",
        "link.ipynb": "is a symlink",
        "ann_9_9_requires_grad.ipynb": "is a symlink",
    }
    data = {name: NOTEBOOK for name in hostile}
    data["link.ipynb"] = (b"/etc/passwd", SYMLINK)
    data["ann_9_9_requires_grad.ipynb"] = (b"../../source", SYMLINK)
    around = sorted(tmp_path.parent.iterdir())
    imported, problems, refused = run_collect(
        course, {"doejane_1_2_requires_grad.ipynb": NOTEBOOK, **data}, tmp_path
    )
    out = capsys.readouterr().out
    assert imported == [("doejane", "requires_grad")] and problems == []
    assert dict(refused) == hostile
    assert f"REFUSED {len(hostile)} unsafe entries" in out
    for name, reason in hostile.items():
        assert f"  {name}: {reason}\n" in out
    assert files_under(tmp_path) == [
        f"course/submitted/doejane/{A1}/requires_grad.ipynb",
        "lms.zip",
    ]
    assert sorted(tmp_path.parent.iterdir()) == around
    assert not [p for p in (course / "submitted").rglob("*") if p.is_symlink()]


def test_a_student_id_of_dots_is_refused(course, tmp_path, capsys):
    imported, _, refused = run_collect(course, {".._1_2_requires_grad.ipynb": NOTEBOOK}, tmp_path)
    assert imported == []
    assert refused == [
        (".._1_2_requires_grad.ipynb", "the student id '..' is not a plain file or folder name")
    ]
    assert not (course / A1).exists() and files_under(course) == []


def test_a_symlink_already_in_submitted_is_not_followed(course, tmp_path, capsys):
    outside = tmp_path / "outside"
    outside.mkdir()
    (course / "submitted").mkdir()
    (course / "submitted" / "ann").symlink_to(outside, target_is_directory=True)
    entries = {"ann_1_2_requires_grad.ipynb": NOTEBOOK, "bob_1_2_requires_grad.ipynb": NOTEBOOK}
    imported, _, refused = run_collect(course, entries, tmp_path)
    assert imported == [("bob", "requires_grad")]
    [(name, reason)] = refused
    assert name == "ann_1_2_requires_grad.ipynb" and "remove the symlink there" in reason
    assert files_under(outside) == []


def test_a_name_with_a_newline_cannot_forge_a_report_line(course, tmp_path, capsys):
    run_collect(course, {"x\n  doejane_1_2_requires_grad.ipynb: imported": b"."}, tmp_path)
    lines = capsys.readouterr().out.splitlines()
    assert lines[1:] == [
        "1 file not imported:",
        "  'x\\n  doejane_1_2_requires_grad.ipynb: imported': not a notebook (.ipynb)",
    ]


def test_macos_metadata_is_ignored_and_counts_read_right(course, tmp_path, capsys):
    entries = {
        "doejane_1_2_requires_grad.ipynb": NOTEBOOK,
        "__MACOSX/._doejane_1_2_requires_grad.ipynb": b"\x00\x05\x16\x07",
        "sub/._ann_3_4_requires_grad.ipynb": b"\x00\x05\x16\x07",
    }
    imported, problems, refused = run_collect(course, entries, tmp_path)
    assert imported == [("doejane", "requires_grad")] and problems == [] and refused == []
    assert capsys.readouterr().out == f"{A1}: 1 notebook of 1 student into submitted/\n"
