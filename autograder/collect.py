"""`python -m autograder collect ZIP ASSIGNMENT`: an LMS download into submitted/.

Every file of the zip whose name matches c.Autograder.collect_pattern (or --pattern) and
holds a notebook becomes submitted/<student_id>/<assignment>/<notebook>.ipynb, byte for byte.
A student's later file (zip order, then its date) replaces an earlier one. Files that are no
notebook, hold invalid JSON, or name no known student are listed, and the rest goes on.
Known students: those of the gradebook, or anyone when the gradebook lists none yet.

The zip is untrusted (zip slip): an entry named with '..' or an absolute path, a symlink, or
one whose file would land anywhere but submitted/<student>/<assignment>/ is refused by name,
nothing is written for it, and the others are imported as usual.
"""

import os
import re
import stat
import zipfile
from pathlib import Path

import nbformat

from autograder.config import UsageError, find_assignment, gradebook


def collect(app, settings, zip_path, assignment, pattern=None):
    """Import the notebooks; print what was imported, not imported and refused; return all three."""
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
    chosen, problems, refused = {}, [], []
    with zipfile.ZipFile(zip_path) as zf:
        for info in sorted(zf.infolist(), key=lambda i: i.date_time):
            danger = unsafe(info)
            if danger:
                refused.append((info.filename, danger))
                continue
            if info.is_dir() or macos_metadata(info.filename):
                continue
            found = identify(info.filename, regex, notebooks, students)
            if isinstance(found, str):
                problems.append((info.filename, found))
                continue
            target, danger = destination(app.coursedir, assignment, *found)
            if danger:
                refused.append((info.filename, danger))
                continue
            data = zf.read(info)
            reason = unreadable(data)
            if reason:
                problems.append((info.filename, reason))
                continue
            if found in chosen:
                problems.append((chosen[found][0], f"replaced by the later {shown(info.filename)}"))
            chosen[found] = (info.filename, target, data)
    for found in sorted(chosen):
        _, target, data = chosen[found]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    report(chosen, problems, refused, assignment)
    return sorted(chosen), problems, refused


def unsafe(info):
    """Why a zip entry's name or kind could write outside submitted/, or None."""
    name = info.filename
    if stat.S_ISLNK(info.external_attr >> 16):
        return "is a symlink"
    # Zips made on Windows may use backslashes; C:... and \\server\... are absolute there.
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name):
        return "is an absolute path"
    if ".." in re.split(r"[/\\]", name):
        return "has '..'"
    return None


def macos_metadata(name):
    """What macOS's zip adds beside every file (__MACOSX/, ._name): no student's work."""
    parts = re.split(r"[/\\]", name)
    return "__MACOSX" in parts or parts[-1].startswith("._")


def plural(count, word, words=None):
    return f"{count} {word if count == 1 else words or word + 's'}"


def destination(coursedir, assignment, student, notebook):
    """(the file to write, None) or (None, why not): it goes in submitted/<student>/<assignment>."""
    file = f"{notebook}.ipynb"
    for what, part in (("student id", student), ("assignment", assignment), ("notebook", file)):
        if part in ("", ".", "..") or re.search(r"[/\\]", part):
            return None, f"the {what} {part!r} is not a plain file or folder name"
    box = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
    submitted = Path(coursedir.root, coursedir.submitted_directory).resolve()
    # The last line of defence: a symlink already in submitted/ could point anywhere.
    target = (box / file).resolve()
    if target != submitted / student / assignment / file:
        return None, (
            f"would be written to {target}, not inside {submitted / student / assignment}: "
            "remove the symlink there (or fix c.CourseDirectory.directory_structure)"
        )
    return target, None


def course_facts(coursedir, assignment):
    """(the assignment's notebook names, the gradebook's student ids)."""
    with gradebook(coursedir) as gb:
        notebooks = [nb.name for nb in find_assignment(gb, coursedir, assignment).notebooks]
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


def report(chosen, problems, refused, assignment):
    students = {student for student, _ in chosen}
    print(
        f"{assignment}: {plural(len(chosen), 'notebook')} of {plural(len(students), 'student')} "
        "into submitted/"
    )
    if refused:
        print(
            f"REFUSED {plural(len(refused), 'unsafe entry', 'unsafe entries')} (nothing was "
            "written for them; check where this zip came from before you trust it):"
        )
        for name, reason in refused:
            print(f"  {shown(name)}: {reason}")
    if problems:
        print(f"{plural(len(problems), 'file')} not imported:")
        for name, reason in problems:
            print(f"  {shown(name)}: {reason}")


def shown(name):
    """The name as printed: a newline or escape in it must not forge or hide report lines."""
    return name if name.isprintable() else ascii(name)
