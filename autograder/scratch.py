"""Scratch nbgrader courses built from this course's sources: release, submit, grade, score.

`make bench` and the tests grade in such courses, never in the instructor's own. The answer
catalogue is data: tests/answers/<assignment>/{wrong,right}/<function>__<slug>.py, the first
line naming the misconception (absent from a student copy, where it lists no answer).
"""

import os
import re
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.cells import nbgrader_meta
from autograder.config import venv_path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "source"
ANSWERS = ROOT / "tests" / "answers"
TAG = re.compile(r"\[(hint|warns):\s*([^\]]+)\]")


def course_id():
    """The course id this repository's nbgrader_config.py gives."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader(str(ROOT / "nbgrader_config.py")).load_config()
    return config.CourseDirectory.course_id


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def assignments():
    """Assignment ids: the folders of source/ that hold a notebook."""
    return sorted(p.name for p in SOURCE.iterdir() if p.is_dir() and list(p.glob("*.ipynb")))


def notebook_path(assignment, root=SOURCE):
    (path,) = sorted((root / assignment).glob("*.ipynb"))
    return path


def solution_cells(nb):
    """{grade_id: cell} for the autograded answer (code solution) cells."""
    return {
        nbgrader_meta(c)["grade_id"]: c
        for c in nb.cells
        if c.cell_type == "code" and nbgrader_meta(c).get("solution")
    }


def reference_answer(cell):
    """A solution cell as a student who solved it would leave it: markers removed."""
    lines = cell.source.split("\n")
    return "\n".join(
        ln for ln in lines if ln.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")
    )


def venv_env():
    """os.environ with this interpreter's bin/ first on PATH (config.venv_path)."""
    return dict(os.environ, PATH=venv_path())


@dataclass(frozen=True)
class Answer:
    assignment: str
    function: str
    slug: str
    correct: bool
    path: Path

    @property
    def student(self):
        return f"{'right' if self.correct else 'wrong'}-{self.function}--{self.slug}"

    @property
    def first_line(self):
        return self.path.read_text(encoding="utf-8").split("\n", 1)[0].lstrip("# ").strip()

    @property
    def misconception(self):
        return TAG.sub("", self.first_line).strip()

    @property
    def tags(self):
        """{"hint": word, "warns": word} from `[hint: word]` and `[warns: word]` on line one.

        hint: a word the failure message of a wrong answer must contain (names its mistake);
        warns: a right answer that warns harmlessly, and a word of the note it must show.
        """
        return {k: v.strip() for k, v in TAG.findall(self.first_line)}

    def source(self):
        return self.path.read_text(encoding="utf-8").rstrip("\n")


def answers(assignment):
    """The catalogue of wrong and right answers kept as data for one assignment."""
    found = []
    for kind in ("wrong", "right"):
        for path in sorted((ANSWERS / assignment / kind).glob("*.py")):
            function, _, slug = path.stem.rpartition("__")
            found.append(Answer(assignment, function, slug, kind == "right", path))
    return found


def run(cmd, cwd, timeout=1800):
    """Run a command, failing with its whole output when it does not exit 0."""
    proc = subprocess.run(
        cmd, cwd=cwd, env=venv_env(), capture_output=True, text=True, timeout=timeout
    )
    if proc.returncode:
        raise AssertionError(
            f"{' '.join(map(str, cmd))} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


def nbgrader(*args, cwd):
    return run([sys.executable, "-m", "nbgrader", *args, "--log-level=WARN"], cwd=cwd)


def make_course(tmp, assignments_=None):
    """A fresh nbgrader course in `tmp` with the repo's config and source notebooks."""
    tmp = Path(tmp)
    tmp.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "nbgrader_config.py", tmp / "nbgrader_config.py")
    for a in assignments_ or assignments():
        shutil.copytree(SOURCE / a, tmp / "source" / a, ignore=shutil.ignore_patterns(".ipynb_*"))
    return tmp


def generate_release(course, assignment):
    nbgrader("generate_assignment", assignment, "--force", cwd=course)
    return course / "release" / assignment


def submit(course, assignment, student, replacements):
    """Write a submission: the release notebook with some answer cells replaced."""
    release_nb = notebook_path(assignment, course / "release")
    nb = nbformat.read(release_nb, as_version=4)
    cells = solution_cells(nb)
    for grade_id, text in replacements.items():
        cells[grade_id].source = text
    dest = course / "submitted" / student / assignment
    dest.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dest / release_nb.name)


def scores(course, assignment):
    """{student: {test grade_id: (score, max_score)}} from the course's gradebook."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for sub in gb.assignment_submissions(assignment):
            per_cell = {}
            for nb in sub.notebooks:
                for grade in nb.grades:
                    if grade.cell_type == "code":
                        per_cell[grade.name] = (grade.score, grade.max_score)
            out[sub.student.id] = per_cell
    return out


def as_user(user, home):
    """The command prefix that runs as `user`, an unprivileged account made if missing (as
    root), owning `home` (links handed over, never what they point at)."""
    import pwd

    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        command = ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin"]
        subprocess.run([*command, user], check=True, capture_output=True, timeout=60)
        entry = pwd.getpwnam(user)
    for folder, dirs, names in os.walk(home):
        for name in [folder, *(os.path.join(folder, n) for n in dirs + names)]:
            os.lchown(name, entry.pw_uid, entry.pw_gid)
    path = venv_path("/usr/bin:/bin")
    return ["runuser", "-u", user, "--", "env", f"HOME={home}", f"PATH={path}"]
