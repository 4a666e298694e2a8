"""`python -m autograder report ASSIGNMENT`: the class at a glance, for the instructor.

Writes reports/<assignment>.html, one self-contained file (plots embedded as PNG): the
total scores, the score distribution of each exercise, the tests that fail most often with
the message they fail with (the course's checks say expected, actual and a hint; a cell that
scored 0 only because something reached stderr, with that text), and the grading problems
(timeouts, dead kernels) and the submissions flagged for manual grading (tampering, a
malformed notebook). Also reports/<assignment>.csv: one row per student with the total, each
exercise's score, the status, the flags, the problems and the test cells that scored 0 only
for writing to stderr (with the first line written).

Scores come from the gradebook, messages from the autograded notebooks, problems from the
autograder's ledger. An exercise is a test cell's grade_id without "test_" and "__part".
"""

import base64
import collections
import csv
import html
import io
import os
import re

import nbformat
from matplotlib.figure import Figure
from nbgrader.utils import determine_grade, is_grade, is_solution

from autograder import ledger
from autograder.cells import exercise_of, nbgrader_meta
from autograder.config import UsageError, find_assignment, gradebook

TOP_FAILURES = 12
STDERR_LIMIT = 4000  # characters of stderr text a message quotes


def report(app, assignment, out=None):
    """Write the HTML report and the CSV; print their paths; return them."""
    coursedir = app.coursedir
    rows, exercises = scores(coursedir, assignment)
    if not rows:
        raise UsageError(f"no graded submission of {assignment}: run `grade {assignment}` first")
    records = ledger.latest(coursedir.root, assignment)
    found = failures_of(coursedir, assignment, [r["student"] for r in rows])
    failures = failing_tests(found)
    out = os.path.abspath(out or os.path.join(coursedir.root, "reports"))
    os.makedirs(out, exist_ok=True)
    csv_path = os.path.join(out, f"{assignment}.csv")
    html_path = os.path.join(out, f"{assignment}.html")
    write_csv(csv_path, rows, exercises, records, found)
    with open(html_path, "w", encoding="utf-8") as f:
        f.write(page(assignment, rows, exercises, failures, records))
    print(f"{html_path}\n{csv_path}")
    return html_path, csv_path


def scores(coursedir, assignment):
    """([{student, total, max, pending, exercise: score...}], {exercise: max}) from the
    gradebook. pending: {exercise: points} still to be graded by hand (as formgrader shows
    them: no score yet, not a zero)."""
    rows, exercises = [], {}
    with gradebook(coursedir) as gb:
        find_assignment(gb, coursedir, assignment)
        submissions = gb.assignment_submissions(assignment)
        for sub in sorted(submissions, key=lambda s: s.student.id):
            row = {"student": sub.student.id, "total": sub.score, "max": sub.max_score}
            row["pending"] = {}
            for nb in sub.notebooks:
                for grade in nb.grades:
                    name = exercise_of(grade.name)
                    row[name] = row.get(name, 0.0) + grade.score
                    exercises[name] = exercises.get(name, 0.0) + grade.max_score
                    if grade.auto_score is None and grade.manual_score is None:
                        row["pending"][name] = row["pending"].get(name, 0.0) + grade.max_score
            rows.append(row)
    per_student = len(rows) or 1
    return rows, {name: total / per_student for name, total in exercises.items()}


def failures_of(coursedir, assignment, students):
    """{student: [(grade_id, first line, whole message, stderr text or "")]} of failing tests."""
    found = {}
    for student in students:
        folder = coursedir.format_path(coursedir.autograded_directory, student, assignment)
        names = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
        found[student] = [
            fail
            for name in names
            if name.endswith(".ipynb")
            for fail in errors(os.path.join(folder, name))
        ]
    return found


def failing_tests(found):
    """[(grade_id, students failing it, [(message, count, one whole message)])], most first."""
    fails = collections.defaultdict(collections.Counter)
    examples = {}
    for student_fails in found.values():
        for grade_id, first, message, _ in student_fails:
            fails[grade_id][first] += 1
            examples.setdefault((grade_id, first), message)
    tests = sorted(fails.items(), key=lambda item: -sum(item[1].values()))[:TOP_FAILURES]
    return [
        (gid, sum(c.values()), [(m, n, examples[gid, m]) for m, n in c.most_common(3)])
        for gid, c in tests
    ]


def errors(path):
    """(grade_id, first line, whole message, stderr text) per failing test cell.

    A cell that raised gives its error (stderr ""); one that scored 0 only because it wrote
    to stderr says so, with that text.
    """
    for cell in nbformat.read(path, as_version=4).cells:
        grade = nbgrader_meta(cell)
        if cell.cell_type != "code" or not grade.get("grade"):
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                message = f"{out.get('ename')}: {out.get('evalue', '')}".strip()
                first = re.sub(r"0x[0-9a-f]+", "0x...", message.splitlines()[0])
                yield grade["grade_id"], first, message, ""
                break
        else:
            text = stderr_zero(cell)
            if text:
                first = f"scored 0 only because it wrote to stderr: {first_line(text)}"
                quoted = text[:STDERR_LIMIT] + ("\n..." if len(text) > STDERR_LIMIT else "")
                message = f"scored 0 only because it wrote to stderr (no check failed):\n{quoted}"
                yield grade["grade_id"], first, message, text


def stderr_zero(cell):
    """The stderr text of a test cell that nbgrader scores 0 for it alone (no error), or "".

    nbgrader gives a test cell no points once anything reaches stderr, checks passed or not.
    """
    if cell.cell_type != "code" or not is_grade(cell) or is_solution(cell):
        return ""
    outputs = cell.get("outputs", [])
    if any(out.get("output_type") == "error" for out in outputs):
        return ""
    text = "".join(
        out.get("text", "")
        for out in outputs
        if out.get("output_type") == "stream" and out.get("name") == "stderr"
    )
    if not text or not float(nbgrader_meta(cell).get("points", 0)):
        return ""
    return text if determine_grade(cell)[0] == 0 else ""


def first_line(text):
    return re.sub(r"0x[0-9a-f]+", "0x...", (text.strip().splitlines() or [""])[0])[:200]


def write_csv(path, rows, exercises, records, found):
    head = ["student", "total", "max", *exercises, "status", "pending", "flags", "problems"]
    head += ["stderr"]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(head)
        for row in rows:
            record = records.get(row["student"], {})
            stderr = [(gid, text) for gid, _, _, text in found.get(row["student"], []) if text]
            writer.writerow(
                [
                    row["student"],
                    f"{row['total']:g}",
                    f"{row['max']:g}",
                    *(shown_score(row, name) for name in exercises),
                    record.get("status", "nbgrader"),
                    f"{sum(row['pending'].values()):g}" if row["pending"] else "",
                    "; ".join(record.get("flags", [])),
                    "; ".join(record.get("problems", [])),
                    "; ".join(f"{gid} scored 0 for stderr: {first_line(t)}" for gid, t in stderr),
                ]
            )


def shown_score(row, name):
    """An exercise's score, or "pending" where it waits for a person and has no score yet."""
    if name in row["pending"] and not row.get(name):
        return "pending"
    return f"{row.get(name, 0):g}"


def summary_line(rows):
    n, top = len(rows), rows[0]["max"]
    line = f"{n} students graded; mean {sum(r['total'] for r in rows) / n:.2f} of {top:g} points."
    waiting = [r for r in rows if r["pending"]]
    if waiting:
        points = max(sum(r["pending"].values()) for r in waiting)
        line += (
            f" Manual grading pending for {len(waiting)} of them (up to {points:g} of {top:g} "
            "points each): the mean counts those points as 0 until they are graded."
        )
    return line


def page(assignment, rows, exercises, failures, records):
    esc = html.escape
    n = len(rows)
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{esc(assignment)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{esc(assignment)}: class report</h1>",
        f"<p>{esc(summary_line(rows))}</p>",
        "<h2>Total scores</h2>",
        image(total_plot(rows)),
        "<h2>Score distribution per exercise</h2>",
        image(exercise_plot(rows, exercises)),
        "<h2>Most frequent failing tests</h2>",
        "<table><tr><th>test</th><th>failed by</th><th>students</th><th>message</th></tr>",
    ]
    for grade_id, count, messages in failures:
        for i, (_, k, example) in enumerate(messages):
            test = f"<td rowspan='{len(messages)}'>{esc(grade_id)}</td>" if i == 0 else ""
            total = f"<td rowspan='{len(messages)}'>{count} of {n}</td>" if i == 0 else ""
            parts.append(f"<tr>{test}{total}<td>{k}</td><td><pre>{esc(example)}</pre></td></tr>")
    parts.append("</table>")
    parts += students_table(
        records,
        "flags",
        "Flagged for manual grading",
        "Their scores may not be earned: formgrader lists them as needing manual grading.",
    )
    parts += students_table(records, "problems", "Grading problems")
    parts.append("</body></html>")
    return "\n".join(parts)


def students_table(records, key, title, intro=""):
    """A section listing the students whose ledger record has `key` (flags, problems)."""
    listed = sorted((r for r in records.values() if r.get(key)), key=lambda r: r["student"])
    if not listed:
        return []
    esc = html.escape
    parts = [f"<h2>{title}</h2>", f"<p>{intro}</p>" if intro else ""]
    parts.append(f"<table><tr><th>student</th><th>{key}</th></tr>")
    for r in listed:
        parts.append(f"<tr><td>{esc(r['student'])}</td><td>{esc('; '.join(r[key]))}</td></tr>")
    return [*parts, "</table>"]


def total_plot(rows):
    fig = Figure(figsize=(6, 2.8), layout="constrained")  # room for the axis labels
    ax = fig.add_subplot()
    ax.hist([r["total"] for r in rows], bins=20, range=(0, rows[0]["max"] or 1), color="#4c72b0")
    pending = any(r["pending"] for r in rows)
    ax.set_xlabel("total score (manual grading pending counts 0)" if pending else "total score")
    ax.set_ylabel("students")
    ax.yaxis.get_major_locator().set_params(integer=True)
    return fig


def exercise_plot(rows, exercises):
    cols = min(len(exercises), 4) or 1
    lines = -(-len(exercises) // cols) or 1
    fig = Figure(figsize=(3.2 * cols, 2.4 * lines), layout="constrained")
    for i, (name, top) in enumerate(exercises.items()):
        ax = fig.add_subplot(lines, cols, i + 1)
        counts = collections.Counter(shown_score(r, name) for r in rows)
        order = sorted(counts, key=lambda s: (s == "pending", float(s) if s != "pending" else 0))
        ax.bar(order, [counts[s] for s in order])
        ax.set_title(f"{name} (of {top:g})", fontsize=9)
        ax.set_xlabel("score", fontsize=8)
        ax.set_ylabel("students", fontsize=8)
        ax.yaxis.get_major_locator().set_params(integer=True)
    return fig


def image(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"<img alt='plot' src='data:image/png;base64,{data}'>"


STYLE = """
body { font-family: sans-serif; max-width: 70em; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
td, th { border: 1px solid #ccc; padding: 0.3em 0.6em; vertical-align: top; text-align: left; }
pre { margin: 0; white-space: pre-wrap; font-size: 0.85em; }
"""
