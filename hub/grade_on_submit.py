"""Grading on submit: a JupyterHub service that turns each submission into feedback.

It runs as the instructor (never root) in the course root, and every --poll seconds lists the
inbound folder of nbgrader's exchange (a folder per submission: STUDENT+ASSIGNMENT+TIMESTAMP+
RANDOM). For each assignment with a submission it has not seen yet, it runs

    nbgrader collect --update ASSIGNMENT      the latest submission of each student, timestamp kept
    python -m autograder grade ASSIGNMENT     sandboxed; grades what is new or resubmitted
    python -m autograder feedback ASSIGNMENT  hidden tests hidden; redoes what was regraded
    nbgrader release_feedback ASSIGNMENT      students fetch it in the Assignments tab

A step that fails (or runs past --timeout) is logged with its output, and the service goes on:
a broken or hostile submission is graded with a reason by the autograder, and stops nothing.
At start it catches up with what was submitted while it was off: every step skips what is
already done.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

PYTHON = sys.executable


def log(message):
    print(f"[grade-on-submit {datetime.now():%H:%M:%S}] {message}", flush=True)


def exchange_inbound():
    """The exchange's inbound folder of this course, as nbgrader's configuration says."""
    from nbgrader.apps.baseapp import NbGrader
    from nbgrader.exchange.default import Exchange

    app = NbGrader()
    app.initialize([])
    return Path(Exchange(coursedir=app.coursedir, config=app.config).root).joinpath(
        app.coursedir.course_id, "inbound"
    )


def steps(assignment):
    return [
        ["nbgrader", "collect", "--update", assignment],
        [PYTHON, "-m", "autograder", "grade", assignment],
        [PYTHON, "-m", "autograder", "feedback", assignment],
        ["nbgrader", "release_feedback", assignment],
    ]


def run(command, timeout):
    """(exit status, output) of a command; None as its status when it ran too long."""
    with tempfile.TemporaryFile("w+") as out:  # a file, not a pipe: no grandchild holds it open
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, text=True)
        try:
            status = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            status = None
            stop(proc)
        except BaseException:  # the hub stops the service: stop the step too
            stop(proc)
            raise
        out.seek(0)
        return status, out.read()


def stop(proc):
    """SIGTERM first: the autograder then stops its sandboxed kernels itself."""
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def process(assignment, timeout):
    """Run the four steps; log each failure (a later step still does what it can, such as
    releasing the feedback pages that were written); True if all succeeded."""
    started, failed = time.monotonic(), False
    for command in steps(assignment):
        status, output = run(command, timeout)
        if status != 0:
            name = " ".join(["python", *command[1:]] if command[0] == PYTHON else command)
            why = f"ran past {timeout:g} s" if status is None else f"exited {status}"
            log(f"{assignment}: `{name}` {why}:\n{output[-4000:]}")
            failed = True
    outcome = "done, with failures above" if failed else "feedback released"
    log(f"{assignment}: {outcome}, {time.monotonic() - started:.0f} s of grading")
    return not failed


def submissions(inbound):
    """{folder name: assignment} of the exchange's inbound submissions."""
    found = {}
    for entry in os.listdir(inbound) if inbound.is_dir() else []:
        parts = entry.split("+")
        if len(parts) >= 3:
            found[entry] = parts[1]
    return found


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--poll", type=float, default=10, help="seconds between looks at the exchange")
    p.add_argument("--timeout", type=float, default=1800, help="seconds one step may run")
    args = p.parse_args(argv)
    # nbgrader runs alembic, and the course's kernels python, from PATH: this Python's first.
    os.environ["PATH"] = f"{Path(PYTHON).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    # JupyterHub stops a service with SIGINT, then SIGTERM: both stop the step running, too
    # (SIGINT is set again, since a hub started in the background passes it on ignored).
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.default_int_handler)
    inbound = exchange_inbound()
    log(f"watching {inbound} every {args.poll:g} s")
    seen = set()
    try:
        while True:
            found = submissions(inbound)
            for assignment in sorted({found[e] for e in found.keys() - seen}):
                log(f"{assignment}: new submissions")
                process(assignment, args.timeout)
            seen |= found.keys()
            time.sleep(args.poll)
    except KeyboardInterrupt:
        log("stopped")


if __name__ == "__main__":
    main()
