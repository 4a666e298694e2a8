"""Command line of the course autograder: python -m autograder COMMAND (grade, doctor, ...)."""

import argparse
import os
import signal
import sys
from pathlib import Path

from autograder.config import UsageError, venv_path


def parser():
    course = argparse.ArgumentParser(add_help=False)  # --course before or after the command
    course.add_argument("--course", default=argparse.SUPPRESS, help="the course root (default: .)")
    p = argparse.ArgumentParser(
        prog="python -m autograder",
        parents=[course],
        description="Grade a whole nbgrader class in minutes. Run it in the course root "
        "(where nbgrader_config.py is) or pass --course DIR.",
    )
    sub = p.add_subparsers(dest="command", required=True)
    g = sub.add_parser(
        "grade", parents=[course], help="autograde submitted/<student>/ASSIGNMENT in parallel"
    )
    g.add_argument("assignment", nargs="*", help="one or more assignments")
    g.add_argument("--all", action="store_true", help="every released assignment, in one run")
    g.add_argument("--student", action="append", default=[], help="only this student (repeat)")
    g.add_argument("--workers", type=int, help="notebooks at once (default: one per core)")
    g.add_argument("--force", action="store_true", help="regrade what is already graded")
    g.add_argument(
        "--cluster",
        metavar="tcp://HOST:PORT",
        help="run the notebooks on this Dask scheduler's workers (c.Autograder.cluster)",
    )
    g.add_argument(
        "--unsandboxed",
        action="store_true",
        help="grade trusted code without the sandbox (c.Autograder.sandbox = 'off')",
    )
    c = sub.add_parser(
        "collect", parents=[course], help="import an LMS zip of notebooks into submitted/"
    )
    c.add_argument("zip", type=Path)
    c.add_argument("assignment")
    c.add_argument("--pattern", help="regex for file names (default: c.Autograder.collect_pattern)")
    r = sub.add_parser(
        "report", parents=[course], help="class report: one HTML file and the grades CSV"
    )
    r.add_argument("assignment")
    r.add_argument("--out", type=Path, help="output folder (default: reports/ in the course)")
    f = sub.add_parser(
        "feedback",
        parents=[course],
        help="HTML feedback in feedback/ for nbgrader release_feedback, hidden tests hidden",
    )
    f.add_argument("assignment")
    f.add_argument("--student", action="append", default=[], help="only this student (repeat)")
    f.add_argument(
        "--force", action="store_true", help="redo feedback newer than its autograded notebook"
    )
    sub.add_parser(
        "doctor", parents=[course], help="which sandbox this machine gives, or why none starts"
    )
    return p


def doctor(course):
    """Say which sandbox `grade` would use here, with its limits, or what stops it."""
    from autograder import sandbox
    from autograder.config import settings_of

    settings = settings_of(course)
    reason = sandbox.probe()
    if reason is not None:
        print(f"No sandbox can start here: {reason}")
        return 1
    print(sandbox.describe(sandbox.limits_of(settings)))
    print(f"c.Autograder.sandbox = {settings.sandbox!r}")
    return 0


def run(args):
    if args.command == "doctor":
        return doctor(args.course)
    from autograder.config import check_course

    check_course(args.course)
    if args.command == "grade":
        if args.workers is not None and args.workers < 1:
            raise UsageError("--workers must be at least 1")
        if bool(args.assignment) == args.all:
            raise UsageError("name the assignments to grade, or pass --all (not both)")
        # The zygote imports torch & co. while this process imports nbgrader: it starts on
        # what the usual source/ layout imports; grade() adds what the configured one does.
        from autograder import zygote as zygotes
        from autograder.config import settings_of

        source = Path(args.course, "source")
        notebooks = [nb for a in args.assignment or ["*"] for nb in source.glob(f"{a}/*.ipynb")]
        modules = zygotes.imported_modules(notebooks)
        settings = settings_of(args.course)
        if args.unsandboxed:
            settings.sandbox = "off"
        cluster = args.cluster or settings.cluster
        if cluster and args.workers is not None:
            raise UsageError(
                "--workers sets how many notebooks this machine runs at once; on a cluster "
                "each Dask worker runs as many as it has threads (dask worker --nthreads): "
                "drop --workers"
            )
        zygote = None if cluster else zygotes.start(args.course, settings, modules)
        try:
            from autograder.config import load, released
            from autograder.grade import grade

            app, settings = load(args.course)
            settings.cluster = cluster
            if args.unsandboxed:
                settings.sandbox = "off"
            assignments = args.assignment or released(app.coursedir)
            grade(app, settings, assignments, args.student, args.workers, args.force, zygote)
        finally:
            if zygote is not None:
                zygote.close(kill=True)
        return
    from autograder.config import load

    app, settings = load(args.course)
    if args.command == "collect":
        from autograder.collect import collect

        refused = collect(app, settings, args.zip, args.assignment, args.pattern)[2]
        return 1 if refused else 0
    elif args.command == "feedback":
        from autograder.feedback import feedback

        return feedback(app, args.assignment, args.student, args.force)
    else:
        from autograder.report import report

        report(app, args.assignment, args.out)


def main(argv=None):
    args = parser().parse_args(argv)
    args.course = getattr(args, "course", ".")
    os.environ["PATH"] = venv_path()
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    try:
        status = run(args)
    except UsageError as err:
        print(f"autograder: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nautograder: interrupted; run the same command again to finish.", file=sys.stderr)
        return 130
    return status or 0


def _interrupt(signum, frame):
    from autograder import grade

    grade.STOP.set()  # if the exception lands where Python drops it, the batch loop sees this
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
