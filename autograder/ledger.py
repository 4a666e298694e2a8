"""What the autograder has finished: one JSON line per graded submission, appended.

.autograder/<assignment>.jsonl in the course root. A record is written only after the
gradebook commit and the atomic write of the autograded notebooks, so a submission without
one is missing and is graded again; the last record of a student wins, so a regrade
replaces a result instead of adding one. A line torn by a crash is ignored.
"""

import json
import os
from pathlib import Path

DIR = ".autograder"


def path(root, assignment):
    return Path(root) / DIR / f"{assignment}.jsonl"


def append(root, assignment, record):
    target = path(root, assignment)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "a", encoding="utf-8") as f:
        f.write(json.dumps(record, sort_keys=True) + "\n")
        f.flush()
        os.fsync(f.fileno())


def latest(root, assignment):
    """{student: their last record}."""
    records = {}
    target = path(root, assignment)
    if not target.exists():
        return records
    for line in target.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        records[record["student"]] = record
    return records
