"""Test-side tools: find the chapters, build throwaway nbgrader courses, run stock nbgrader.

Everything here is generic over chapters: a new chapter only adds its notebook under source/
and its answer catalogue under tests/answers/<assignment>/{wrong,right}/<function>__<slug>.py.
"""

import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "source"
RELEASE = ROOT / "release"
ANSWERS = Path(__file__).resolve().parent / "answers"
SHARED = ROOT.parent / "shared"


def assignments():
    """Assignment ids: the folders of source/ that hold a notebook."""
    return sorted(p.name for p in SOURCE.iterdir() if p.is_dir() and list(p.glob("*.ipynb")))


def notebook_path(assignment, root=SOURCE):
    (path,) = sorted((root / assignment).glob("*.ipynb"))
    return path


def nbgrader_meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def solution_cells(nb):
    """{grade_id: cell} for the autograded answer (code solution) cells."""
    return {
        nbgrader_meta(c)["grade_id"]: c
        for c in nb.cells
        if c.cell_type == "code" and nbgrader_meta(c).get("solution")
    }


def exercise_of(grade_id):
    """`test_fn__part` and `test_fn` both belong to the exercise `fn` (which may end in `_`)."""
    name = re.sub(r"^test_", "", grade_id)
    return name.rpartition("__")[0] if "__" in name else name


def reference_answer(cell):
    """A solution cell as a student who solved it would leave it: markers removed."""
    lines = cell.source.split("\n")
    return "\n".join(
        ln for ln in lines if ln.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")
    )


def reference_answers(assignment):
    """{grade_id: solved cell} for every answer cell of an assignment's source notebook."""
    nb = nbformat.read(notebook_path(assignment), as_version=4)
    return {gid: reference_answer(cell) for gid, cell in solution_cells(nb).items()}


def venv_env():
    """os.environ with this interpreter's bin/ first: nbgrader runs `alembic` from PATH."""
    return dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
TAG = re.compile(r"\[(hint|warns):\s*([^\]]+)\]")


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


def autograder(*args, cwd, check=True, timeout=600):
    """`python -m autograder ARGS` in `cwd`; check: fail with its output unless it exits 0."""
    cmd = [sys.executable, "-m", "autograder", *args]
    if check:
        return run(cmd, cwd, timeout)
    return subprocess.run(
        cmd, cwd=cwd, env=venv_env(), capture_output=True, text=True, timeout=timeout
    )


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


@dataclass(frozen=True)
class CellOutput:
    stdout: str
    stderr: str
    error: str
    traceback: str = ""

    @property
    def problem(self):
        return "\n".join(
            part for part in (self.error, self.stderr and f"stderr: {self.stderr}") if part
        )


def cell_outputs(course, assignment, student):
    """{grade_id: CellOutput} of the graded code cells of an autograded notebook."""
    nb = nbformat.read(notebook_path(assignment, course / "autograded" / student), as_version=4)
    found = {}
    for cell in nb.cells:
        gid = nbgrader_meta(cell).get("grade_id")
        if cell.cell_type != "code" or not gid:
            continue
        streams = {"stdout": "", "stderr": ""}
        error = traceback = ""
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                streams[out.name] += out.text
            elif out.output_type == "error":
                error = f"{out.ename}: {out.evalue}"
                traceback = ANSI.sub("", "\n".join(out.traceback))
        found[gid] = CellOutput(streams["stdout"], streams["stderr"], error, traceback)
    return {gid: out for gid, out in found.items() if out.stdout or out.stderr or out.error}


def by_exercise(per_cell):
    """Sum (score, max) over the test cells of each exercise."""
    totals = {}
    for grade_id, (score, max_score) in per_cell.items():
        s, m = totals.get(exercise_of(grade_id), (0.0, 0.0))
        totals[exercise_of(grade_id)] = (s + score, m + max_score)
    return totals


# -- hidden tests and feedback pages


def _delimiters():
    from nbgrader.preprocessors import ClearHiddenTests

    return ClearHiddenTests().begin_test_delimeter, ClearHiddenTests().end_test_delimeter


DELIMITERS = _delimiters()  # the course keeps nbgrader's own
# A hidden line that holds no name of its own (`try:`, `)`) is on every page: no secret.
SYNTAX_ONLY = re.compile(r"[\W]*(?:try|else|finally|pass|break|continue|return)?[\W]*")


def marked(source):
    """[(line, hidden)] of a cell's source, by nbgrader's hidden-test delimiters (included)."""
    begin, end = DELIMITERS
    found, inside = [], False
    for line in source.split("\n"):
        inside = inside or begin in line
        found.append((line, inside))
        inside = inside and end not in line
    return found


def regions(source):
    """(visible lines, hidden lines) of a cell's source."""
    lines = marked(source)
    return [ln for ln, hidden in lines if not hidden], [ln for ln, hidden in lines if hidden]


def graded_test_cells(nb):
    """The autograder test cells of a notebook."""
    grading = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    return [c for c in grading if c.cell_type == "code" and not c.metadata.nbgrader.get("solution")]


def hidden_lines(assignment, root=SOURCE):
    """The source notebook's hidden-test lines that a student sees nowhere else.

    A hidden line that the lessons, the visible tests or an answer also hold is no secret.
    """
    nb = nbformat.read(notebook_path(assignment, root), as_version=4)
    seen = [regions(c.source)[0] for c in nb.cells]
    seen.append([reference_answer(c) for c in solution_cells(nb).values()])
    seen.append([a.source() for a in answers(assignment)])
    visible = "\n".join("\n".join(part) for part in seen)
    hidden = {ln.strip() for c in nb.cells for ln in regions(c.source)[1]}
    secret = [ln for ln in hidden if ln not in visible and not SYNTAX_ONLY.fullmatch(ln)]
    return sorted(ln for ln in secret if not any(d in ln for d in DELIMITERS))  # markers: in docs


def hidden_failures(path):
    """[(grade_id, message)] of the test cells of an autograded notebook that failed in their
    hidden tests (a frame of the cell, whose header names its line, is on a hidden line)."""
    found = []
    for cell in graded_test_cells(nbformat.read(path, as_version=4)):
        hidden = hidden_line_numbers(cell.source)
        for out in cell.outputs:
            if out.output_type != "error":
                continue
            frames = [ANSI.sub("", entry) for entry in out.traceback]
            header = rf"Cell In\[{cell.execution_count}\], line (\d+)"
            lines = {int(m.group(1)) for f in frames if (m := re.search(header, f))}
            if lines & hidden:
                found.append((cell.metadata.nbgrader["grade_id"], out.evalue))
    return found


def hidden_line_numbers(source):
    return {number for number, (_, hidden) in enumerate(marked(source), 1) if hidden}


class Text(html.parser.HTMLParser):
    """The text a reader sees on a page (scripts and styles left out)."""

    def __init__(self, page):
        super().__init__()
        self.parts, self.skipping = [], 0
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.skipping += tag in ("script", "style")

    def handle_endtag(self, tag):
        self.skipping -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)

    def __str__(self):
        return "".join(self.parts)


def page_text(path):
    return str(Text(path.read_text(encoding="utf-8")))


def message_shown(message, text):
    return all(line.strip() in text for line in message.splitlines())


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
    path = f"{Path(sys.executable).parent}:/usr/bin:/bin"  # nbgrader runs alembic from PATH
    return ["runuser", "-u", user, "--", "env", f"HOME={home}", f"PATH={path}"]


def load_json(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def release(assignments_=None):
    """Regenerate release/<assignment> for each assignment, built in a scratch course.

    nbgrader's generate_assignment writes a gradebook.db beside the course it runs in; building
    in a temporary directory keeps the instructor's own gradebook and student folders untouched.
    """
    import tempfile

    for a in assignments_ or assignments():
        with tempfile.TemporaryDirectory(prefix=f"release-{a}-") as tmp:
            fresh = generate_release(make_course(tmp, [a]), a)
            shutil.rmtree(RELEASE / a, ignore_errors=True)
            shutil.copytree(fresh, RELEASE / a)
        print(f"release/{a} regenerated")


if __name__ == "__main__":
    if sys.argv[1:2] != ["release"]:
        sys.exit("usage: python tests/coursekit.py release [ASSIGNMENT ...]")
    release(sys.argv[2:])
