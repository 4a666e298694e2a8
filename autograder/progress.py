"""The progress bar while a batch runs, and the summary table after it."""

import time

WIDTH = 30


class Progress:
    """A bar redrawn in place on a terminal; elsewhere (logs, CI) one line per submission."""

    def __init__(self, total, out, skipped=0):
        self.total, self.out, self.count = total, out, 0
        self.started = time.monotonic()
        self.tty = out.isatty()
        if skipped:
            print(f"{skipped} already graded (kept; --force regrades them)", file=out)
        self._draw("")

    def done(self, record):
        self.count += 1
        self._draw(f"{record['student']} {score_text(record)}")
        return record

    def _draw(self, last):
        elapsed = time.monotonic() - self.started
        left = elapsed / self.count * (self.total - self.count) if self.count else 0
        filled = WIDTH * self.count // max(self.total, 1)
        bar = "#" * filled + "." * (WIDTH - filled)
        line = f"[{bar}] {self.count}/{self.total} {elapsed:5.1f}s ~{left:.0f}s left  {last}"
        if self.tty:
            print("\r" + line[:120].ljust(120), end="", file=self.out, flush=True)
        elif self.count:
            print(line, file=self.out, flush=True)

    def close(self):
        if self.tty:
            print(file=self.out)


def score_text(record):
    if record["status"] != "graded":
        return record["status"]
    return f"{record['score']:g}/{record['max_score']:g}"


def summary(records, elapsed, sandbox=""):
    """Per assignment, a table: student, score, max, time, problems; then the totals."""
    assignments = sorted({r.get("assignment", "") for r in records})
    lines = []
    for assignment in assignments:
        if len(assignments) > 1:
            lines.append(f"== {assignment}")
        lines += table([r for r in records if r.get("assignment", "") == assignment])
    failed = sum(r["status"] != "graded" for r in records)
    flagged = sum(bool(r.get("flags")) for r in records)
    per = elapsed / len(records) if records else 0
    total = f"{len(records) - failed} graded, {failed} failed in {elapsed:.1f}s ({per:.2f}s each)"
    if flagged:
        total += f"; {flagged} FLAGGED for manual grading (formgrader lists them)"
    lines.append(total + (f". {sandbox}" if sandbox else ""))
    return "\n".join(line.rstrip() for line in lines)


def table(records):
    rows = [("student", "score", "max", "time", "problems")]
    for r in sorted(records, key=lambda r: r["student"]):
        graded = r["status"] == "graded"
        rows.append(
            (
                r["student"],
                f"{r['score']:g}" if graded else "-",
                f"{r['max_score']:g}" if graded else "-",
                f"{r['seconds']:.1f}s",
                "; ".join([*(f"FLAGGED: {f}" for f in r.get("flags", [])), *r["problems"]]),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return [
        "  ".join([*(c.ljust(w) for c, w in zip(row[:4], widths, strict=True)), row[4]])
        for row in rows
    ]
