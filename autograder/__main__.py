"""Command line of the course autograder (python -m autograder ...)."""

import sys


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    print(
        "autograder: parallel, sandboxed grading of this nbgrader course is coming "
        "(grade, collect, report).\nUntil then grade with stock nbgrader: "
        "nbgrader autograde ASSIGNMENT (see README.md, instructor guide).",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main())
