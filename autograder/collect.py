"""`python -m autograder collect ZIP ASSIGNMENT`: an LMS download into submitted/.

Every file of the zip whose name matches c.Autograder.collect_pattern (or --pattern) and
holds a notebook becomes submitted/<student_id>/<assignment>/<notebook>.ipynb, byte for byte.
A student's later file (zip order, then its date) replaces an earlier one. Files that are no
notebook, hold invalid JSON, or name no known student are listed, and the rest goes on.
Known students: those of the gradebook, or anyone when the gradebook lists none yet.
"""

import os
import re
import zipfile
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from autograder.config import UsageError


def collect(app, settings, zip_path, assignment, pattern=None):
    """Import the notebooks; print what was imported and what was not; return both."""
    zip_path = Path(zip_path)
    if not zipfile.is_zipfile(zip_path):
        raise UsageError(f"{zip_path} is not a zip file: pass the LMS download (.zip)")
    try:
        regex = re.compile(pattern or settings.collect_pattern)
    except re.error as err:
        raise UsageError(f"bad --pattern / c.Autograder.collect_pattern: {err}") from None
    if "student_id" not in regex.groupindex:
        raise UsageError("the collect pattern needs a (?P<student_id>...) group")
    notebooks, students = course_facts(app.coursedir, assignment)
    chosen, problems = {}, []
    with zipfile.ZipFile(zip_path) as zf:
        for info in sorted(zf.infolist(), key=lambda i: i.date_time):
            if info.is_dir():
                continue
            found = identify(info.filename, regex, notebooks, students)
            if isinstance(found, str):
                problems.append((info.filename, found))
                continue
            data = zf.read(info)
            reason = unreadable(data)
            if reason:
                problems.append((info.filename, reason))
                continue
            if found in chosen:
                problems.append((chosen[found][0], f"replaced by the later {info.filename}"))
            chosen[found] = (info.filename, data)
    for (student, notebook), (_, data) in sorted(chosen.items()):
        dest = Path(
            app.coursedir.format_path(app.coursedir.submitted_directory, student, assignment)
        )
        dest.mkdir(parents=True, exist_ok=True)
        (dest / f"{notebook}.ipynb").write_bytes(data)
    report(chosen, problems, assignment)
    return sorted(chosen), problems


def course_facts(coursedir, assignment):
    """(the assignment's notebook names, the gradebook's student ids)."""
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        try:
            notebooks = [nb.name for nb in gb.find_assignment(assignment).notebooks]
        except MissingEntry:
            raise UsageError(
                f"{assignment} is not in the gradebook: run `nbgrader generate_assignment "
                f"{assignment}` first"
            ) from None
        return notebooks, {s.id for s in gb.students}


def identify(filename, regex, notebooks, students):
    """(student, notebook) for a file of the zip, or why it is skipped."""
    name = os.path.basename(filename)
    if not name.endswith(".ipynb"):
        return "not a notebook (.ipynb)"
    match = regex.fullmatch(name)
    if not match:
        return f"the name does not match the pattern {regex.pattern}"
    student = match["student_id"]
    if students and student not in students:
        return f"no student {student!r} in the gradebook"
    stem = match.groupdict().get("notebook") or ""
    named = [nb for nb in notebooks if stem == nb or stem.endswith(nb)]
    if len(notebooks) == 1 and not named:
        named = notebooks
    if len(named) != 1:
        return f"which notebook of {', '.join(notebooks)} is {stem!r}?"
    return student, named[0]


def unreadable(data):
    """Why these bytes are no notebook, or None."""
    try:
        nbformat.reads(data.decode("utf-8"), as_version=4)
    except UnicodeDecodeError:
        return "not UTF-8 text"
    except Exception as err:  # nbformat raises many kinds for a broken file
        return f"invalid notebook JSON: {str(err).splitlines()[0][:120]}"
    return None


def report(chosen, problems, assignment):
    students = {student for student, _ in chosen}
    print(f"{assignment}: {len(chosen)} notebooks of {len(students)} students into submitted/")
    if problems:
        print(f"{len(problems)} files not imported:")
        for name, reason in problems:
            print(f"  {name}: {reason}")
