"""What the autograder has finished: one JSON line per graded submission, appended.

.autograder/<assignment>.jsonl in the course root. A record is written only after the
gradebook commit and the atomic write of the autograded notebooks, so a submission without
one is missing and is graded again; the last record of a student wins, so a regrade
replaces a result instead of adding one. A line torn by a crash is ignored.

Only the coordinator writes it (grade.py), so it could as well live in a database.
"""

import json
import os
from pathlib import Path

DIR = ".autograder"  # the autograder's own records and logs, in the course root


class Ledger:
    def __init__(self, root, assignment):
        self.path = Path(root) / DIR / f"{assignment}.jsonl"

    def append(self, record):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, sort_keys=True) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def latest(self):
        """{student: their last record}."""
        records = {}
        if not self.path.exists():
            return records
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            records[record["student"]] = record
        return records


def latest(root, assignment):
    """{student: their last record} for the assignment of the course at `root`."""
    return Ledger(root, assignment).latest()
