"""`python -m autograder feedback ASSIGNMENT`: HTML feedback that never shows a hidden test.

Stock `nbgrader generate_feedback` renders the autograded notebook, whose test cells hold the
whole source of every hidden test (nbgrader #917). This is nbgrader's own GenerateFeedback
converter, its GetGrades preprocessor and its feedback template, with a few preprocessors
more, one per concern:

- RedactTracebacks: a traceback shows no line of a hidden test (IPython prints the lines
  around the failing one), only where it failed; the error and its message stay whole;
- HideHiddenTests: the hidden part of a test cell becomes a one-line note; visible tests stay;
- NoteStderrZero: a test cell that scored 0 only because it wrote to stderr says so;
- ScoreSummary: a table of scores per exercise, the total and the instructor's comments,
  shown at the top of the page.

The delimiters of hidden tests are those of nbgrader's ClearHiddenTests configuration. The
pages land where `nbgrader generate_feedback` writes them, feedback/<student>/<assignment>/
<notebook>.html, beside the submission's timestamp.txt and submission_secret.txt, so
`nbgrader release_feedback` and the students' assignment list find them. Without --force,
a student whose feedback is newer than their autograded notebooks is skipped.
"""

import html
import os
import re
from pathlib import Path

import nbformat
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor, Preprocessor
from nbgrader import utils
from nbgrader.converters import GenerateFeedback
from nbgrader.converters.base import NbGraderException
from nbgrader.preprocessors import ClearHiddenTests, GetGrades
from traitlets import Bool, Integer, List, Unicode
from traitlets.config import Config

from autograder import ledger
from autograder.cells import exercise_of, nbgrader_meta
from autograder.config import UsageError, find_assignment, gradebook, log_to
from autograder.report import stderr_zero

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
FRAME = re.compile(r"Cell In\[(\d+)\], line \d+")  # IPython's header of a frame in a cell
NUMBERED = re.compile(r"(?P<arrow>-*>)?\s*(?P<n>\d+)(?: (?P<code>.*))?$")


def hidden_regions(source, begin, end):
    """Indices of the lines of `source` in hidden-test regions, delimiters included.

    A region left open runs to the end of the cell: better hide too much than leak.
    """
    hidden, inside = set(), False
    for i, line in enumerate(source.split("\n")):
        if begin in line:
            inside = True
        if inside:
            hidden.add(i)
        if end in line:
            inside = False
    return hidden


class GetGradesAndComments(GetGrades):
    """nbgrader's GetGrades; also keeps apart what the instructor wrote (manual comments)."""

    def _get_comment(self, cell, resources):
        super()._get_comment(cell, resources)
        grade = nbgrader_meta(cell)
        found = self.gradebook.find_comment(
            grade["grade_id"], self.notebook_id, self.assignment_id, self.student_id
        )
        grade["instructor_comment"] = found.manual_comment


class HiddenTestsAware(Preprocessor):
    """Finds hidden tests by the delimiters of nbgrader's ClearHiddenTests configuration."""

    enabled = Bool(True, help="Always on: a feedback page must not show hidden tests.")

    def read_delimiters(self):
        # Only its own section: other sections of the config are not its traits.
        own = Config(ClearHiddenTests=self.config.get("ClearHiddenTests", {}))
        clear = ClearHiddenTests(config=own)
        self.delimiters = clear.begin_test_delimeter, clear.end_test_delimeter

    def hidden(self, cell):
        """The hidden line indices of a cell the instructor wrote (locked), else none."""
        return hidden_regions(cell.source, *self.delimiters) if utils.is_locked(cell) else set()


class RedactTracebacks(HiddenTestsAware):
    """Drop the hidden lines IPython quotes in a traceback; keep where it failed, and why."""

    marker = Unicode(
        "----> (a line of the hidden tests)",
        help="What a traceback shows in place of the failing line when it is hidden.",
    ).tag(config=True)

    def preprocess(self, nb, resources):
        self.read_delimiters()
        cells = {}  # execution count -> (source lines, hidden indices), cells with hidden tests
        for cell in nb.cells:
            hidden = self.hidden(cell)
            if hidden and cell.cell_type == "code":
                cells[cell.get("execution_count")] = (cell.source.split("\n"), hidden)
        if not cells:
            return nb, resources
        for cell in nb.cells:
            for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
                if out.output_type == "error":
                    out.traceback = [self.redact(entry, cells) for entry in out.traceback]
        return nb, resources

    def redact(self, entry, cells):
        lines = entry.split("\n")
        plain = [ANSI.sub("", line) for line in lines]
        header = FRAME.search(plain[0])
        if not header:
            return entry
        found = self.cell_of(int(header.group(1)), plain[1:], cells)
        if found is None:
            return entry
        kept, hiding = [lines[0]], False
        for line, text in zip(lines[1:], plain[1:], strict=True):
            numbered = NUMBERED.match(text)
            if numbered:
                hiding = int(numbered.group("n")) - 1 in found[1]
                if hiding and numbered.group("arrow"):
                    kept.append(self.marker)
            if not hiding:
                kept.append(line)
        return "\n".join(kept)

    @staticmethod
    def cell_of(count, lines, cells):
        """The cell a frame quotes: by execution count, else the one whose lines it quotes."""
        if count in cells:
            return cells[count]
        quoted = [m for m in map(NUMBERED.match, lines) if m]
        for source, hidden in cells.values():
            if quoted and all(
                int(m.group("n")) <= len(source)
                and (m.group("code") or "").strip() == source[int(m.group("n")) - 1].strip()
                for m in quoted
            ):
                return source, hidden
        return None


class HideHiddenTests(HiddenTestsAware):
    """Replace the hidden part of each test cell with a one-line note."""

    note = Unicode(
        "# ... hidden tests ran here: their code is not shown, their results are.",
        help="The line shown in place of a cell's hidden tests (indented like them).",
    ).tag(config=True)

    def preprocess(self, nb, resources):
        self.read_delimiters()
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        hidden = self.hidden(cell)
        if hidden:
            lines, shown = cell.source.split("\n"), []
            for i, line in enumerate(lines):
                if i not in hidden:
                    shown.append(line)
                elif i - 1 not in hidden:  # the first line of a region
                    shown.append(line[: len(line) - len(line.lstrip())] + self.note)
            cell.source = "\n".join(shown)
        return cell, resources


class NoteStderrZero(Preprocessor):
    """Say so where a test cell scored 0 only because something reached stderr."""

    enabled = Bool(True, help="Whether feedback shows the note.").tag(config=True)
    limit = Integer(4000, help="Characters of the stderr text the note quotes.").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        text = stderr_zero(cell)
        if text and nbgrader_meta(cell).get("score") == 0:
            quoted = text if len(text) <= self.limit else text[: self.limit] + "\n..."
            note = (
                "<div class='alert alert-warning'><b>This test scored 0 only because "
                "something was written to stderr</b>: no check failed, but nbgrader gives "
                "no points to a test cell that writes to stderr (a warning, a print to "
                f"sys.stderr). It wrote:<pre>{html.escape(quoted)}</pre></div>"
            )
            cell.outputs.insert(0, nbformat.v4.new_output("display_data", {"text/html": note}))
        return cell, resources


class ScoreSummary(Preprocessor):
    """Scores per exercise (test_fn and test_fn__part count for fn), total and comments."""

    enabled = Bool(True, help="Always on: the page's template shows the summary.")

    def preprocess(self, nb, resources):
        rows, comments = {}, []
        for cell in nb.cells:
            grade = nbgrader_meta(cell)
            if grade.get("instructor_comment"):
                comments.append(
                    {"grade_id": grade["grade_id"], "text": grade["instructor_comment"]}
                )
            if utils.is_grade(cell) or utils.is_task(cell):
                row = rows.setdefault(exercise_of(grade["grade_id"]), [0.0, 0.0, []])
                score = grade.get("score")
                row[0] = None if None in (row[0], score) else row[0] + score
                row[1] += grade.get("points") or 0.0
                if score == 0 and stderr_zero(cell):
                    row[2].append(f"{grade['grade_id']} scored 0 only because it wrote to stderr")
        info = resources["nbgrader"]
        resources["feedback"] = {
            "exercises": [
                {"name": name, "score": points(score, top), "note": "; ".join(notes)}
                for name, (score, top, notes) in rows.items()
            ],
            "total": points(info["score"], info["max_score"]),
            "late_penalty": info.get("late_penalty") or 0,
            "comments": comments,
        }
        return nb, resources


def points(score, top):
    return "not graded yet" if score is None else f"{score:g} / {top:g}"


# nbgrader's feedback template, with the summary at the top of the notebook.
SUMMARY_TEMPLATE = """
{%- extends 'index.html.j2' -%}
{% block body_loop %}
{%- set fb = resources.feedback -%}
<div class="panel panel-info" id="scores">
<div class="panel-heading"><b>Your scores</b></div>
<table class="table table-condensed">
<tr><th>exercise</th><th class="center">score</th><th>note</th></tr>
{%- for row in fb.exercises %}
<tr><td><code>{{ row.name | e }}</code></td><td class="center">{{ row.score | e }}</td>
<td>{{ row.note | e }}</td></tr>
{%- endfor %}
{%- if fb.late_penalty %}
<tr><td>late submission penalty</td><td class="center">-{{ fb.late_penalty }}</td><td></td></tr>
{%- endif %}
<tr><th>total</th><th class="center">{{ fb.total | e }}</th><th></th></tr>
</table>
{%- if fb.comments %}
<div class="panel-footer"><b>Comments from your instructor</b>
{%- for c in fb.comments %}
<div><code>{{ c.grade_id | e }}</code>: {{ c.text | markdown2html | strip_files_prefix }}</div>
{%- endfor %}
</div>
{%- endif %}
</div>
{{ super() }}
{% endblock body_loop %}
"""


class CourseFeedback(GenerateFeedback):
    """nbgrader's GenerateFeedback, with the hidden tests hidden; one student at a time."""

    # Not configurable: a configured list could leave the hidden tests in.
    preprocessors = List(
        [
            GetGradesAndComments,
            RedactTracebacks,
            HideHiddenTests,
            NoteStderrZero,
            ScoreSummary,
            CSSHTMLHeaderPreprocessor,
        ],
        help="Grades in, hidden tests out, notes and the summary added, CSS inlined.",
    )

    def __init__(self, students=(), **kw):
        super().__init__(**kw)
        self.students, self.written, self.skipped = list(students), {}, []

    def convert_notebooks(self):
        self.exporter.raw_template = SUMMARY_TEMPLATE  # not a configurable trait
        super().convert_notebooks()

    def init_notebooks(self):
        """The autograded notebooks of the students asked for (all by default)."""
        super().init_notebooks()
        excluded = set(self.coursedir.student_id_exclude.split(","))
        found = {
            self.student_of(f): f for f in self.assignments if self.student_of(f) not in excluded
        }
        missing = sorted(set(self.students) - set(found))
        if missing:
            raise UsageError(
                f"no autograded submission of {self.coursedir.assignment_id} for "
                f"{', '.join(missing)}: grade it first"
            )
        wanted = self.students or sorted(found)
        self.assignments = {found[s]: self.assignments[found[s]] for s in wanted}

    def student_of(self, folder):
        pattern = self._format_source(self.coursedir.assignment_id, "(?P<s>.*)", escape=True)
        return re.match(pattern, folder).group("s")

    def init_destination(self, assignment_id, student_id):
        """Skip a student whose every page is newer than its autograded notebook."""
        pages = [self.page(assignment_id, student_id, nb) for nb in self.notebooks]
        fresh = all(
            os.path.exists(page) and os.path.getmtime(page) > os.path.getmtime(nb)
            for page, nb in zip(pages, self.notebooks, strict=True)
        )
        if fresh and not self.force:
            self.skipped.append(student_id)
            return False
        for page in pages:
            if os.path.exists(page):
                utils.remove(page)
        return True

    def page(self, assignment_id, student_id, notebook):
        name = os.path.splitext(os.path.basename(notebook))[0] + self.exporter.file_extension
        return os.path.join(self._format_dest(assignment_id, student_id), name)

    def write_single_notebook(self, output, resources):
        super().write_single_notebook(output, resources)
        info = resources["nbgrader"]
        path = os.path.join(self.writer.build_directory, resources["unique_key"] + ".html")
        self.written.setdefault(info["student"], []).append(
            (os.path.relpath(path, self.coursedir.root), info["score"], info["max_score"])
        )


def feedback(app, assignment, students=(), force=False):
    """Write the feedback pages; print one line per student; 1 if any failed, else 0."""
    coursedir = app.coursedir
    with gradebook(coursedir) as gb:
        find_assignment(gb, coursedir, assignment)
    coursedir.assignment_id, coursedir.notebook_id, coursedir.student_id = assignment, "*", "*"
    log = Path(coursedir.root, ledger.DIR, "feedback.log")
    log_to(app, log)
    converter = CourseFeedback(students, coursedir=coursedir, parent=app, force=force)
    try:
        converter.start()
    except NbGraderException as err:
        if not converter.assignments:
            raise UsageError(
                f"nothing of {assignment} is graded yet: run `python -m autograder grade "
                f"{assignment}` (or `nbgrader autograde {assignment}`) first"
            ) from err
    everyone = sorted(converter.student_of(folder) for folder in converter.assignments)
    failed = [s for s in everyone if s not in converter.written and s not in converter.skipped]
    for student in everyone:
        for path, score, top in converter.written.get(student, []):
            print(f"written  {student}  {score:g}/{top:g}  {path}")
        if student in converter.skipped:
            print(f"skipped  {student}  (newer than its autograded notebook; --force redoes it)")
        if student in failed:
            print(f"failed   {student}  (see {os.path.relpath(log, coursedir.root)})")
    print(
        f"{len(converter.written)} written, {len(converter.skipped)} skipped, {len(failed)} failed"
    )
    return 1 if failed else 0
