"""What a notebook cell says to nbgrader: its metadata, and the exercise its grade_id names."""

import re


def nbgrader_meta(cell):
    """The cell's nbgrader metadata, the dict itself (edits stick); {} if it has none.

    A submission may hold anything there (a string, a list): that reads as none, so a
    malformed cell never crashes a reader (intake.py reports and repairs it).
    """
    found = cell.get("metadata", {}).get("nbgrader")
    return found if isinstance(found, dict) else {}


def exercise_of(grade_id):
    """`test_fn__part` and `test_fn` belong to `fn`, which may itself end in `_` (sgd_step_)."""
    name = re.sub(r"^test_", "", grade_id)
    return name.rpartition("__")[0] if "__" in name else name
