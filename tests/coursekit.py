"""Test-side tools: find the chapters, build throwaway nbgrader courses, run stock nbgrader.

Everything here is generic over chapters: a new chapter only adds its notebook under source/
and its answer catalogue under tests/answers/<assignment>/{wrong,right}/<function>__<slug>.py.
Scratch courses and the catalogue's reader are autograder.scratch's (make bench uses them too).
"""

import html.parser
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.cells import exercise_of, nbgrader_meta
from autograder.scratch import (
    ROOT,
    SOURCE,
    answers,
    assignments,
    generate_release,
    make_course,
    notebook_path,
    reference_answer,
    run,
    solution_cells,
    venv_env,
)
from autograder.scratch import as_user as as_user  # re-exported for the tests
from autograder.scratch import course_id as course_id
from autograder.scratch import free_port as free_port
from autograder.scratch import nbgrader as nbgrader
from autograder.scratch import scores as scores
from autograder.scratch import submit as submit

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
RELEASE = ROOT / "release"
SHARED = ROOT.parent / "shared"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def reference_answers(assignment):
    """{grade_id: solved cell} for every answer cell of an assignment's source notebook."""
    nb = nbformat.read(notebook_path(assignment), as_version=4)
    return {gid: reference_answer(cell) for gid, cell in solution_cells(nb).items()}


def autograder(*args, cwd, check=True, timeout=600):
    """`python -m autograder ARGS` in `cwd`; check: fail with its output unless it exits 0."""
    cmd = [sys.executable, "-m", "autograder", *args]
    if check:
        return run(cmd, cwd, timeout)
    return subprocess.run(
        cmd, cwd=cwd, env=venv_env(), capture_output=True, text=True, timeout=timeout
    )


def chromium(profile):
    """A fresh headless Chromium with its own profile folder (the caller quits it)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--window-size=1400,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)  # fmt: skip
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


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
    grading = [c for c in nb.cells if c.cell_type == "code" and nbgrader_meta(c).get("grade")]
    return [c for c in grading if not nbgrader_meta(c).get("solution")]


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
                found.append((nbgrader_meta(cell)["grade_id"], out.evalue))
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
