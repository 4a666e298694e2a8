"""`python -m autograder grade`: `nbgrader autograde`, as a pipeline of three steps.

    prepare  on the coordinator (this process): intake, init_assignment (gradebook: student,
             submission; source files copied in), and nbgrader's sanitize preprocessors
             (ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells,
             CheckCellMetadata), with the classes of its configuration, in order.
             Gives a `Prepared` submission: plain data, everything a machine needs.
    run      anywhere (execution.py, behind a runner of runners.py: threads here, or the
             workers of a Dask cluster): Execute, its kernel forked from a zygote, then
             IgnorePattern, ClearMetadataPreprocessor, LimitOutput. Gives a `RunResult`.
    save     on the coordinator, the only gradebook writer: SaveAutoGrades,
             AssignLatePenalties, CheckCellMetadata; the autograded notebook written
             atomically; permissions; one ledger record.

A submission is done once its ledger record is written: an interrupted batch, rerun, grades
what has none. A submission that cannot be graded is recorded as failed, with its reason.
"""

import datetime
import glob
import hashlib
import os
import re
import sys
import tempfile
import threading
import time
import warnings
from concurrent.futures import FIRST_COMPLETED, wait
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.converters import Autograde
from nbgrader.converters.base import NbGraderException
from nbgrader.preprocessors import Execute, IgnorePattern, LimitOutput
from nbgrader.utils import rmtree
from sqlalchemy.exc import SAWarning

from autograder import intake, ledger, sandbox
from autograder.config import UsageError, find_assignment, gradebook, log_to
from autograder.execution import (
    NotebookRun,
    Prepared,
    RunFailed,
    RunLimits,
    RunResult,
    first_line,
    step_name,
)
from autograder.progress import Progress, summary
from autograder.runners import LocalRunner
from autograder.zygote import imported_modules, start

# nbgrader's autograde preprocessors that change the notebook alone: they run in the run step.
RUN_ANYWHERE = (Execute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput)
STOP = threading.Event()  # set by the command line's SIGINT and SIGTERM handlers


class Coordinator(Autograde):
    """nbgrader's Autograde converter for one assignment, cut into prepare and save."""

    def __init__(self, settings, assignment, **kw):
        super().__init__(**kw)
        self.settings, self.assignment = settings, assignment
        self.root = Path(self.coursedir.root)
        self.ledger = ledger.Ledger(self.root, assignment)
        chain = list(self.autograde_preprocessors)
        cut = next(
            (i for i, pp in enumerate(chain) if not issubclass(pp, RUN_ANYWHERE)), len(chain)
        )
        self.run_steps = [step_name(pp) for pp in chain[:cut]]
        self.save_chain = chain[cut:]
        self.limits = RunLimits(
            settings.notebook_timeout, settings.cell_timeout, settings.output_mb << 20
        )
        self.expectations = None  # what intake.py checks submissions against, read once

    # -- what to grade

    def _use(self):
        """The course directory is shared by the assignments: point it at this one."""
        self.coursedir.assignment_id, self.coursedir.notebook_id = self.assignment, "*"
        self.coursedir.student_id = "*"

    def plan(self, students=(), force=False):
        """(students to grade, students graded already and kept), in submission order."""
        self._use()
        with gradebook(self.coursedir) as gb:
            find_assignment(gb, self.coursedir, self.assignment)
        try:
            self.init_notebooks()
        except NbGraderException:
            raise UsageError(
                f"no submissions of {self.assignment} in "
                f"{self.coursedir.format_path(self.coursedir.submitted_directory, '*', '.')}: "
                f"collect them first (python -m autograder collect ZIP {self.assignment})"
            ) from None
        found = {self._student_of(src): src for src in self.assignments}
        excluded = set(filter(None, self.coursedir.student_id_exclude.split(",")))
        wanted = [s for s in sorted(found) if (s in students or not students) and s not in excluded]
        done = self.ledger.latest()
        todo = [s for s in wanted if force or not self._graded(s, done.get(s))]
        return todo, [s for s in wanted if s not in todo]

    def _student_of(self, src):
        regexp = self.coursedir.format_path(
            self.coursedir.submitted_directory, "(?P<student_id>.*)", self.assignment, escape=True
        )
        return re.match(regexp, src).group("student_id")

    def _source(self, student):
        return self.coursedir.format_path(
            self.coursedir.submitted_directory, student, self.assignment
        )

    def _graded(self, student, record):
        if not record or record["status"] != "graded":
            return False
        if record["fingerprint"] != fingerprint(self._source(student)):
            return False  # resubmitted since
        dest = self._format_dest(self.assignment, student)
        return all(os.path.exists(os.path.join(dest, nb)) for nb in record["notebooks"])

    def preload(self):
        """The modules the assignment's source notebooks import."""
        source = self.coursedir.format_path(self.coursedir.source_directory, ".", self.assignment)
        names = imported_modules(glob.glob(os.path.join(source, "*.ipynb")))
        return sorted(names)

    # -- prepare

    def prepare(self, student):
        """init_assignment and the sanitize pass, as `nbgrader autograde --force` does them,
        on the notebooks as intake.py read, checked and flagged them."""
        self._use()
        self._sanitizing = True
        dest = self._format_dest(self.assignment, student)
        if os.path.exists(dest):
            rmtree(dest)
        folder = self._source(student)
        admitted, flags = intake.admit(
            self.assignments[folder], self._expectations(), self.settings.max_notebook_mb
        )
        # Named as expected: a renamed notebook is graded under its released name.
        self.notebooks = [os.path.join(folder, f"{t.name}.ipynb") for t in admitted]
        self.run_pre_convert_hook()
        self.init_assignment(self.assignment, student)
        flags.extend(self._drop_links(folder, dest))
        if any(t.unscored for t in admitted):
            with gradebook(self.coursedir) as gb:
                for t in admitted:
                    intake.unscore(gb, self.assignment, t, student)
        os.makedirs(dest, exist_ok=True)  # stock writes the sanitized notebook there
        exporter = self._exporter(self.sanitize_preprocessors)
        notebooks = []
        for t, path in zip(admitted, self.notebooks, strict=True):
            resources = self.init_single_notebook_resources(path)
            output, _ = exporter.from_notebook_node(t.nb, resources=resources)
            notebooks.append(self._to_run(nbformat.reads(output, as_version=4), path, dest))
        return Prepared(
            self.assignment,
            student,
            fingerprint(folder),
            notebooks,
            flags,
            steps=self.run_steps,
            config=self.config,
            limits=self.limits,
            settings=self.settings.values(),
            folder=dest,
        )

    def _drop_links(self, folder, dest):
        """Links in a submission are never graded through: stock nbgrader copies what they
        point at (source/, the gradebook, /etc). Remove those copies; flag each link."""
        source = self.coursedir.format_path(self.coursedir.source_directory, ".", self.assignment)
        flags = []
        for rel, target in sandbox.links(folder).items():
            copied = os.path.join(dest, rel)
            if os.path.isfile(copied) and not os.path.lexists(os.path.join(source, rel)):
                os.unlink(copied)  # a link to a folder: stock copies nothing of it
            flags.append(f"{rel} is a link to {target}: not copied (a submission holds files only)")
        return flags

    def _expectations(self):
        """What the gradebook expects of each notebook (intake.py), read once."""
        if self.expectations is None:
            source = self.coursedir.format_path(
                self.coursedir.source_directory, ".", self.assignment
            )
            with gradebook(self.coursedir) as gb:
                self.expectations = intake.expectations(gb, self.assignment, source, parent=self)
        return self.expectations

    def _to_run(self, nb, path, dest):
        """The sanitized notebook and the resources stock nbgrader gives it on its 2nd pass."""
        name = os.path.basename(path)
        self._sanitizing = False
        try:
            resources = self.init_single_notebook_resources(os.path.join(dest, name))
        finally:
            self._sanitizing = True
        today = datetime.datetime.now(datetime.UTC).strftime("%B %d, %Y")
        resources["metadata"] = {
            "name": os.path.splitext(name)[0],
            "path": dest,
            "modified_date": today,
        }
        return NotebookRun(name, nb, resources)

    def _exporter(self, preprocessors):
        exporter = self.exporter_class(parent=self, config=self.config)
        for pp in preprocessors:
            exporter.register_preprocessor(pp)
        return exporter

    # -- save

    def save(self, prepared, result):
        """The gradebook passes, the atomic write, the ledger record."""
        self._use()
        for notebook in result.notebooks:
            nb, resources = notebook.nb, notebook.resources
            resources["metadata"]["path"] = prepared.folder  # it may have run elsewhere
            for pp in self._exporter(self.save_chain)._preprocessors:
                nb, resources = pp(nb, resources)
            path = os.path.join(prepared.folder, notebook.name)
            write_atomic(path, nbformat.writes(nb, version=4).rstrip("\n") + "\n")
        self.set_permissions(self.assignment, prepared.student)
        self.run_post_convert_hook()
        flags = prepared.flags + result.flags
        with gradebook(self.coursedir) as gb:
            if flags:
                flag_for_manual_grading(gb, self.assignment, prepared.student, flags)
            graded = gb.find_submission(self.assignment, prepared.student)
            score, max_score = graded.score, graded.max_score
        self._keep_log(prepared.student, result.kernel_log)
        names = [n.name for n in result.notebooks]
        return self._record(prepared, result, "graded", score, max_score, notebooks=names)

    def fail(self, student, err, prepared=None, result=None):
        """Record a submission that could not be graded; drop its autograded files, as stock."""
        self.log.error("Could not grade %s of %s", self.assignment, student, exc_info=err)
        dest = self._format_dest(self.assignment, student)
        if os.path.exists(dest):
            rmtree(dest)
        if isinstance(err, RunFailed):
            result, why = err.result, err.summary
            self._keep_log(student, result.kernel_log)
        else:
            why = f"{type(err).__name__}: {first_line(err)}"
        result = result or RunResult(student)
        result.problems.append(f"failed: {why}")
        if prepared is None:  # it failed while being prepared
            prepared = Prepared(self.assignment, student, fingerprint(self._source(student)))
        return self._record(prepared, result, "failed", None, None, notebooks=[])

    def _keep_log(self, student, text):
        if text:  # what a kernel on another machine printed
            path = self.root / ledger.DIR / "logs" / self.assignment / f"{student}.log"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")

    def _record(self, prepared, result, status, score, max_score, **extra):
        record = {
            "assignment": self.assignment,
            "student": prepared.student,
            "status": status,
            "score": score,
            "max_score": max_score,
            "seconds": round(result.seconds, 3),
            "kernel_cpu": round(result.kernel_cpu, 3),
            "problems": result.problems,
            "flags": prepared.flags + result.flags,
            "fingerprint": prepared.fingerprint,
            "graded_at": datetime.datetime.now(datetime.UTC).isoformat(),
            **extra,
        }
        self.ledger.append(record)
        return record


def grade(app, settings, assignments, students=(), workers=None, force=False, zygote=None):
    """Grade the submissions of each assignment; return the records of this run.

    zygote: a Zygote started early (it imports while nbgrader loads), or None for a new one.
    With c.Autograder.cluster set, the workers of that Dask scheduler run the submissions.
    """
    root = Path(app.coursedir.root)
    log_to(app, root / ledger.DIR / "grade.log")
    # nbgrader's gradebook warns about its own session handling; it would tear the bar apart.
    warnings.filterwarnings("ignore", category=SAWarning)
    courses = [Coordinator(settings, a, coursedir=app.coursedir, parent=app) for a in assignments]
    plans = [(course, *course.plan(students, force)) for course in courses]
    missing = set(students) - {s for _, todo, done in plans for s in todo + done}
    if missing:
        raise UsageError(f"no submission of {', '.join(assignments)} by {', '.join(missing)}")
    todo = [(course, student) for course, students_, _ in plans for student in students_]
    skipped = sum(len(done) for _, _, done in plans)
    if not todo:
        print(f"All {skipped} submissions are graded already; --force regrades them.")
        return []
    modules = sorted({name for course in courses for name in course.preload()})
    runner = make_runner(root, settings, modules, workers, zygote, len(todo))
    os.environ["NBGRADER_EXECUTION"] = "autograde"  # what stock sets while its kernels run
    progress = Progress(len(todo), sys.stderr, skipped=skipped)
    records = []
    try:
        records = drive(todo, runner, progress)
    finally:
        runner.close(abort=len(records) < len(todo))
        progress.close()
    if runner.not_preloaded():
        print(f"Not preloaded (slower, same grades): {'; '.join(runner.not_preloaded())}")
    print(summary(records, time.monotonic() - progress.started, runner.describe()))
    return records


def make_runner(root, settings, modules, workers, zygote, count):
    if settings.cluster:
        from autograder.runners import DaskRunner

        if zygote is not None:
            zygote.close(kill=True)  # the workers have their own
        return DaskRunner(settings.cluster, root, settings, modules)
    workers = workers or settings.worker_count()
    # What kernels import on first use: worth importing once only for those that start after
    # the first ones; each of those imports it as it would anyway.
    later = settings.preload if count > workers else ()
    if zygote is None:
        zygote = start(root, settings, modules, later)
    else:  # and what the configured source/ imports beyond the usual layout
        zygote.load(modules, later)
    return LocalRunner(zygote, workers, root / ledger.DIR / "logs")


def drive(todo, runner, progress):
    """Keep the runner busy; prepare and save on this (the main) thread."""
    records, waiting, running = [], iter(todo), {}
    STOP.clear()
    while True:
        while len(running) <= runner.capacity and (item := next(waiting, None)) is not None:
            course, student = item
            try:
                prepared = course.prepare(student)
            except Exception as err:
                records.append(progress.done(course.fail(student, err)))
                continue
            running[runner.submit(prepared)] = (course, prepared)
        if not running:
            return records
        finished, _ = wait(running, timeout=0.2, return_when=FIRST_COMPLETED)
        if STOP.is_set():  # a SIGINT that landed in a callback, which drops it
            raise KeyboardInterrupt
        for future in finished:
            records.append(progress.done(save(*running.pop(future), future)))


def save(course, prepared, future):
    result = None
    try:
        result = future.result()
        return course.save(prepared, result)
    except Exception as err:
        return course.fail(prepared.student, err, prepared, result)


def flag_for_manual_grading(gb, assignment, student, flags):
    """Every grade of the submission needs a person; each answer cell says why.

    formgrader then lists the submission as needing manual grading, and its answer cells
    show the reasons as the autograder's comment.
    """
    note = "Flagged by the autograder: " + "; ".join(flags)
    submission = gb.find_submission(assignment, student)
    for notebook in submission.notebooks:
        for grade in notebook.grades:
            grade.needs_manual_grade = True
        for comment in notebook.comments:
            comment.auto_comment = f"{comment.auto_comment or ''}\n\n{note}".strip()
    gb.db.commit()


def fingerprint(folder):
    """A digest of every file of a submission: a resubmission changes it."""
    digest = hashlib.sha256()
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file():  # in chunks: a huge file is refused later, not loaded here
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    digest.update(chunk)
    return digest.hexdigest()


def write_atomic(path, text):
    """Write via a temporary file and rename: readers see the old file or the new one."""
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".ipynb")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
