"""No make target deletes an instructor's grades or submissions without asking."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from coursekit import ROOT

CLASS_DATA = ["gradebook.db", "submitted", "autograded", "feedback", "downloaded", "reports"]


def targets():
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return sorted(set(re.findall(r"^([a-z][a-z-]*):", text, re.M)))


@pytest.fixture
def course_copy(tmp_path):
    """A directory with the repo's Makefile and a class's data in it."""
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / "gradebook.db").write_text("grades")
    for folder in CLASS_DATA[1:]:
        (tmp_path / folder / "student1").mkdir(parents=True)
        (tmp_path / folder / "student1" / "work.txt").write_text("work")
    return tmp_path


def intact(course):
    return all((course / name).exists() for name in CLASS_DATA)


@pytest.mark.parametrize("target", [t for t in targets() if t != "discard-grades"])
def test_no_target_but_discard_grades_removes_class_data(target):
    dry = subprocess.run(
        ["make", "-n", "-B", target], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    for line in dry.stdout.splitlines():
        if re.search(r"\brm\b", line):
            named = [n for n in CLASS_DATA if re.search(rf"(^|[\s/]){re.escape(n)}\b", line)]
            assert not named, f"make {target} would delete {named}: {line}"


def test_clean_keeps_grades_and_submissions(course_copy):
    subprocess.run(["make", "clean"], cwd=course_copy, check=True, capture_output=True)
    assert intact(course_copy)


def test_discard_grades_refuses_without_a_terminal(course_copy):
    proc = subprocess.run(
        ["make", "discard-grades"],
        cwd=course_copy,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0 and "from a terminal" in proc.stdout
    assert intact(course_copy)


def test_discard_grades_deletes_only_after_typed_confirmation(course_copy):
    script = shutil.which("script")
    if script is None:
        pytest.skip("util-linux `script` is needed to give make a terminal")
    run = [script, "-qec", "make discard-grades", "/dev/null"]
    no = subprocess.run(run, cwd=course_copy, input="no\n", capture_output=True, text=True)
    assert "nothing deleted" in no.stdout and intact(course_copy)
    yes = subprocess.run(run, cwd=course_copy, input="delete\n", capture_output=True, text=True)
    assert yes.returncode == 0, yes.stdout
    assert not any((course_copy / name).exists() for name in CLASS_DATA)
    assert (Path(course_copy) / "Makefile").exists()


def test_the_environment_runs_for_every_user():
    """An unprivileged grader and students' servers run this venv: every folder on the way to
    its interpreter, and the interpreter itself, must be open to others (not a home at 0700)."""
    python = (ROOT / ".venv" / "bin" / "python").resolve()
    closed = [p for p in [python, *python.parents] if not p.stat().st_mode & 0o001]
    assert not closed, f"{python} is out of reach of other users: {closed} (o-x); make clean setup"
    assert python.stat().st_mode & 0o004, f"{python} is not readable by other users"


def test_students_lab_asks_no_news_question():
    """JupyterLab's first start asks to fetch "official Jupyter news": the course says never."""
    installed = ROOT / ".venv" / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    settings = json.loads(installed.read_text(encoding="utf-8"))
    assert settings == json.loads((ROOT / "lab" / "overrides.json").read_text(encoding="utf-8"))
    assert settings["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"


def test_the_student_copy_holds_no_solution_and_no_hidden_test(tmp_path):
    """source/ holds every solution and hidden test, tests/answers/ the catalogue: neither may
    reach students. The copy's notebooks are the release's (test_release checks them)."""
    from coursekit import assignments, hidden_lines

    dest = tmp_path / "students"
    made = subprocess.run(
        ["make", "student-copy", f"DEST={dest}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    assert not (dest / "source").exists() and not (dest / "tests").exists()
    assert (dest / "Makefile").is_file() and (dest / "course" / "checks.py").is_file()
    notebooks = sorted(p.relative_to(dest) for p in dest.rglob("*.ipynb"))
    assert notebooks == sorted(p.relative_to(ROOT) for p in (ROOT / "release").rglob("*.ipynb"))
    for path in notebooks:
        assert (dest / path).read_bytes() == (ROOT / path).read_bytes(), f"{path} differs"
    lines = set().union(*(stripped_lines(p) for p in dest.rglob("*") if p.is_file()))
    shown = set().union(*(stripped_lines(ROOT / p) for p in notebooks))  # lessons of any chapter
    hidden = {ln for a in assignments() for ln in hidden_lines(a) if len(ln) >= 20} - shown
    assert hidden and not hidden & lines, f"hidden test lines are out: {hidden & lines}"
    again = subprocess.run(["make", "student-copy", f"DEST={dest}"], cwd=ROOT, capture_output=True)
    assert again.returncode == 2, "an existing folder must never be written over"


def stripped_lines(path):
    """A file's lines, stripped; a notebook's are its cells' sources (JSON escapes undone)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".ipynb":
        text = "\n".join("".join(c["source"]) for c in json.loads(text)["cells"])
    return {line.strip() for line in text.splitlines()}
