"""The course autograder: `nbgrader autograde` for a whole class in minutes.

Run in an nbgrader course root (or pass --course DIR), with the venv's bin/ on PATH:

    python -m autograder collect downloads.zip 01_requires_grad   # LMS zip -> submitted/
    python -m autograder grade 01_requires_grad [02_backward ...] [--student ID] [--force]
    python -m autograder report 01_requires_grad                  # reports/<id>.html, .csv
    python -m autograder feedback 01_requires_grad                # feedback/, no hidden test

`grade` writes what `nbgrader autograde` writes: the same gradebook records and the same
autograded/ notebooks, which formgrader, `feedback` (or generate_feedback) and export use. It runs
nbgrader's own Autograde converter and preprocessors; only the kernels differ. It is a pipeline
of typed values (grade.py): prepare (here) -> `Prepared` -> run (execution.py, anywhere) ->
`RunResult` -> save (here, the only gradebook writer). A runner (runners.py) runs them on
this machine's threads, or with --cluster on the workers of a Dask cluster (cluster.py).
Each notebook still runs in a kernel process of its own, but that process is forked from a
zygote that has already imported ipykernel and the course's libraries (zygote.py), so a
notebook costs its own cells and little else; notebooks run side by side, one per core.

Interrupted (Ctrl-C, a kill), it loses nothing: rerun it and it grades what has no record
in its ledger yet (ledger.py); --force regrades. A resubmitted notebook is graded
again. Limits and options are `c.Autograder.*` in nbgrader_config.py (config.py): a cell
over cell_timeout is interrupted and scores zero, as in stock nbgrader; a notebook over
notebook_timeout is killed, and its cells that did not run score zero. Exit status 0 once
the batch ran, whatever it found; 2 for a usage or configuration mistake, 130 if stopped.

Untrusted code: the zygote runs inside bubblewrap and each kernel confines itself before any
cell runs (sandbox.py: its own folder, uid, no network, rlimits); a guard in each kernel
refuses every cell once the grading machinery was changed (guard.py); a static scan flags
what a student's cells could tamper with (scan.py); malformed notebooks get a clear reason
(intake.py). Flagged submissions are graded and marked for manual grading.

`make bench` compares stock nbgrader and this on the same 60 submissions (bench.py).
"""

import sys

# jsonschema (which nbformat imports) builds rfc3987_syntax's IRI grammar on import: one to
# three seconds of every grade call and Dask worker, for a format no notebook schema has.
# Without the module, jsonschema leaves that one format unchecked.
sys.modules.setdefault("rfc3987_syntax", None)
