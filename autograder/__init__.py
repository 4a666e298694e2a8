"""The course autograder: `nbgrader autograde` for a whole class in minutes.

Run in an nbgrader course root (or pass --course DIR), with the venv's bin/ on PATH:

    python -m autograder collect downloads.zip 01_requires_grad   # LMS zip -> submitted/
    python -m autograder grade 01_requires_grad [02_backward ...] [--student ID] [--force]
    python -m autograder report 01_requires_grad                  # reports/<id>.html, .csv

`grade` writes what `nbgrader autograde` writes: the same gradebook records and the same
autograded/ notebooks, which formgrader, generate_feedback and export use as usual. It runs
nbgrader's own Autograde converter and preprocessors (grade.py); only the kernels differ.
Each notebook still runs in a kernel process of its own, but that process is forked from a
zygote that has already imported ipykernel and the course's libraries (zygote.py), so a
notebook costs its own cells and little else; notebooks run side by side, one per core.

Interrupted (Ctrl-C, a kill), it loses nothing: rerun it and it grades what has no record
in .autograder/<assignment>.jsonl yet; --force regrades. A resubmitted notebook is graded
again. Limits and options are `c.Autograder.*` in nbgrader_config.py (config.py): a cell
over cell_timeout is interrupted and scores zero, as in stock nbgrader; a notebook over
notebook_timeout is killed, and its cells that did not run score zero. Exit status 0 once
the batch ran, whatever it found; 2 for a usage or configuration mistake, 130 if stopped.

Sandboxing: `zygote.kernel_main` is the single entry point of every submission's own
process (a fresh fork, its own session, no descriptor of the grader). Namespaces, rlimits
and seccomp for a submission go there. The grader controls the zygote (forks, signals,
deadlines, exit reports) through its stdin and stdout only, so the zygote can run inside
bubblewrap; the kernels' zmq ports on localhost are the other tie.

`make bench` compares stock nbgrader and this on the same 60 submissions (bench.py).
"""
