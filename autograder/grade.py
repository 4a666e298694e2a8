"""`python -m autograder grade`: `nbgrader autograde`, with the notebooks run side by side.

`Batch` is nbgrader's own Autograde converter. Per submission it takes the steps of
`nbgrader autograde --force`, with the preprocessor classes of its configuration, in order:

  main thread    init_assignment (gradebook: student, submission; source files copied in),
                 sanitize (ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells,
                 CheckCellMetadata)
  worker thread  Execute (its kernel forked from the zygote), IgnorePattern,
                 ClearMetadataPreprocessor, LimitOutput
  main thread    SaveAutoGrades, AssignLatePenalties, CheckCellMetadata; the autograded
                 notebook written atomically; permissions; one ledger record

Only the main thread touches the gradebook, so sqlite has one writer. A submission is done
once its ledger record is written: an interrupted batch, rerun, grades what has none.

Where the run of a notebook is cut short (its notebook_timeout, or a kernel that dies), the
cells that ran keep their outputs and the others get an error output saying why, so their
tests score zero; stock nbgrader drops the whole submission instead. Any other error fails
the submission, as in stock nbgrader, with its reason in the ledger.
"""

import datetime
import glob
import hashlib
import os
import re
import signal
import sys
import tempfile
import threading
import time
import warnings
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient.exceptions import CellTimeoutError
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.api import Gradebook
from nbgrader.converters import Autograde
from nbgrader.converters.base import NbGraderException
from nbgrader.preprocessors import Execute, IgnorePattern, LimitOutput
from nbgrader.utils import rmtree
from sqlalchemy.exc import SAWarning

from autograder import guard, intake, ledger, sandbox, scan
from autograder.config import UsageError, find_assignment, log_to
from autograder.kernel import Forking, ended, forking
from autograder.progress import Progress, summary
from autograder.zygote import imported_modules, start

# Preprocessors that only transform the notebook: they may run on a worker thread.
PURE = (Execute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput)
TIMEOUT_ENAME = "CellTimeoutError"  # what nbgrader's Execute records for a cell timeout
STOP = threading.Event()  # set by the command line's SIGINT and SIGTERM handlers


@dataclass
class Notebook:
    nb: nbformat.NotebookNode
    resources: dict
    dest: str  # the autograded notebook


@dataclass
class Submission:
    student: str
    fingerprint: str
    notebooks: list
    started: float = field(default_factory=time.monotonic)
    problems: list = field(default_factory=list)
    # Reasons to distrust its scores: it is graded, and marked for manual grading.
    flags: list = field(default_factory=list)
    kernel_cpu: float = 0.0  # CPU seconds its kernels used, when forked


class Batch(Autograde):
    """nbgrader's Autograde converter, cut where notebooks can run in parallel."""

    def __init__(self, settings, assignment, **kw):
        super().__init__(**kw)
        self.settings, self.assignment = settings, assignment
        self.root = Path(self.coursedir.root)
        self.logs = self.root / ledger.DIR / "logs" / assignment
        chain = list(self.autograde_preprocessors)
        cut = next((i for i, pp in enumerate(chain) if not issubclass(pp, PURE)), len(chain))
        self.run_chain = [forking(pp) if issubclass(pp, Execute) else pp for pp in chain[:cut]]
        self.save_chain = chain[cut:]
        self.books = None  # what intake.py checks submissions against (_books)

    # -- what to grade

    def _use(self):
        """The course directory is shared by the batches: point it at this one."""
        self.coursedir.assignment_id, self.coursedir.notebook_id = self.assignment, "*"
        self.coursedir.student_id = "*"

    def plan(self, students=(), force=False):
        """(students to grade, students graded already and kept), in submission order."""
        self._use()
        self._check_assignment()
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
        done = ledger.latest(self.root, self.assignment)
        todo = [s for s in wanted if force or not self._graded(s, done.get(s))]
        return todo, [s for s in wanted if s not in todo]

    def _check_assignment(self):
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            find_assignment(gb, self.coursedir, self.assignment)

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
        """The modules the assignment's source notebooks import, and c.Autograder.preload."""
        source = self.coursedir.format_path(self.coursedir.source_directory, ".", self.assignment)
        names = imported_modules(glob.glob(os.path.join(source, "*.ipynb")))
        return sorted(set(names) | set(self.settings.preload))

    # -- main thread, before the run

    def prepare(self, student):
        """init_assignment and the sanitize pass, as `nbgrader autograde --force` does them,
        on the notebooks as intake.py read, checked and flagged them."""
        self._use()
        self._sanitizing = True
        dest = self._format_dest(self.assignment, student)
        if os.path.exists(dest):
            rmtree(dest)
        folder = self._source(student)
        sub = Submission(student, fingerprint(folder), [])
        taken, sub.flags = intake.take(
            self.assignments[folder], self._books(), self.settings.max_notebook_mb
        )
        # Named as expected: a renamed notebook is graded under its released name.
        self.notebooks = [os.path.join(folder, f"{t.name}.ipynb") for t in taken]
        self.run_pre_convert_hook()
        self.init_assignment(self.assignment, student)
        sub.flags.extend(self._drop_links(folder, dest))
        if any(t.unscored for t in taken):
            with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
                for t in taken:
                    intake.unscore(gb, self.assignment, t, student)
        os.makedirs(dest, exist_ok=True)  # stock writes the sanitized notebook there
        exporter = self._exporter(self.sanitize_preprocessors)
        for t, path in zip(taken, self.notebooks, strict=True):
            resources = self.init_single_notebook_resources(path)
            output, _ = exporter.from_notebook_node(t.nb, resources=resources)
            sub.notebooks.append(self._to_run(nbformat.reads(output, as_version=4), path, dest))
        return sub

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

    def _books(self):
        """What the gradebook expects of each notebook (intake.py), read once per batch."""
        if self.books is None:
            source = self.coursedir.format_path(
                self.coursedir.source_directory, ".", self.assignment
            )
            with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
                self.books = intake.expectations(gb, self.assignment, source, parent=self)
        return self.books

    def _to_run(self, nb, path, dest):
        """The sanitized notebook and the resources stock nbgrader gives it on its 2nd pass."""
        target = os.path.join(dest, os.path.basename(path))
        self._sanitizing = False
        try:
            resources = self.init_single_notebook_resources(target)
        finally:
            self._sanitizing = True
        name = os.path.splitext(os.path.basename(path))[0]
        today = datetime.datetime.now(datetime.UTC).strftime("%B %d, %Y")
        resources["metadata"] = {"name": name, "path": dest, "modified_date": today}
        return Notebook(nb, resources, target)

    def _exporter(self, preprocessors):
        exporter = self.exporter_class(parent=self, config=self.config)
        for pp in preprocessors:
            exporter.register_preprocessor(pp)
        return exporter

    # -- worker thread

    def run(self, sub, zygote):
        """Run each notebook of `sub` in its own forked kernel; the pure preprocessors too."""
        sub.started = time.monotonic()  # its time counts from here, not from its wait
        self.logs.mkdir(parents=True, exist_ok=True)
        for notebook in sub.notebooks:
            sub.flags.extend(scan.suspicious(notebook.nb, os.path.basename(notebook.dest)))
            for pp in self._exporter(self.run_chain)._preprocessors:
                if isinstance(pp, Forking):
                    self._arm(pp, sub, zygote)
                notebook.nb, notebook.resources = self._apply(pp, notebook, sub)
            sub.flags.extend(tampering(notebook))
        return sub

    def _arm(self, pp, sub, zygote):
        deadline = time.monotonic() + self.settings.notebook_timeout
        log = str(self.logs / f"{sub.student}.log")
        pp.job = {"zygote": zygote, "log": log, "deadline": deadline}
        pp.job["cell_timeout"] = self.settings.cell_timeout
        pp.job["output_bytes"] = self.settings.output_mb << 20

    def _apply(self, pp, notebook, sub):
        if not isinstance(pp, Forking):
            return pp(notebook.nb, notebook.resources)
        try:
            result = pp(notebook.nb, notebook.resources)
        except Exception as err:
            stop = self._ended(pp.job, sub)
            if isinstance(err, CellTimeoutError) and stop:  # and nbclient killed the kernel
                pp.job["stopped"] = "cell timeout; the kernel ignored the interrupt"
            died = stop and (stop["timed_out"] or pp.job.get("stopped") or not pp.job.get("killed"))
            if not died or pp.running is None:
                raise  # as in stock nbgrader, the whole submission fails
            reason = self._stop_reason(stop, pp.job)
            mark_unrun(notebook.nb, pp.running, reason)
            sub.problems.append(f"{reason} (in cell {cell_name(notebook.nb, pp.running)})")
            return notebook.nb, notebook.resources
        self._ended(pp.job, sub)
        sub.problems.extend(
            f"cell timeout in {cell_name(notebook.nb, i)}" for i in timed_out(notebook.nb)
        )
        if not sub.problems and os.path.exists(pp.job["log"]):
            os.unlink(pp.job["log"])  # keep the kernel logs worth reading
        return result

    def _ended(self, job, sub):
        stop = ended(job)
        sub.kernel_cpu += (stop or {}).get("cpu", 0.0)
        return stop

    def _stop_reason(self, stop, job):
        if job.get("stopped"):
            return job["stopped"]
        if stop["timed_out"]:
            return f"notebook timeout ({self.settings.notebook_timeout} s)"
        status = stop["status"]
        if status is not None and status < 0:
            return f"kernel killed by {signal.Signals(-status).name}"
        return f"kernel died (exit status {status})"

    # -- main thread, after the run

    def save(self, sub):
        """The gradebook passes, the atomic write, the ledger record."""
        self._use()
        for notebook in sub.notebooks:
            nb, resources = notebook.nb, notebook.resources
            for pp in self._exporter(self.save_chain)._preprocessors:
                nb, resources = pp(nb, resources)
            write_atomic(notebook.dest, nbformat.writes(nb, version=4).rstrip("\n") + "\n")
        self.set_permissions(self.assignment, sub.student)
        self.run_post_convert_hook()
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            if sub.flags:
                flag_for_manual_grading(gb, self.assignment, sub.student, sub.flags)
            graded = gb.find_submission(self.assignment, sub.student)
            score, max_score = graded.score, graded.max_score
        names = [os.path.basename(n.dest) for n in sub.notebooks]
        return self._record(sub, "graded", score, max_score, notebooks=names)

    def fail(self, student, err, sub=None):
        """Record a submission that could not be graded; drop its autograded files, as stock."""
        self.log.error("Could not grade %s of %s", self.assignment, student, exc_info=err)
        dest = self._format_dest(self.assignment, student)
        if os.path.exists(dest):
            rmtree(dest)
        sub = sub or Submission(student, fingerprint(self._source(student)), [])
        sub.problems.append(f"failed: {type(err).__name__}: {first_line(err)}")
        return self._record(sub, "failed", None, None, notebooks=[])

    def _record(self, sub, status, score, max_score, **extra):
        record = {
            "assignment": self.assignment,
            "student": sub.student,
            "status": status,
            "score": score,
            "max_score": max_score,
            "seconds": round(time.monotonic() - sub.started, 3),
            "kernel_cpu": round(sub.kernel_cpu, 3),
            "problems": sub.problems,
            "flags": sub.flags,
            "fingerprint": sub.fingerprint,
            "graded_at": datetime.datetime.now(datetime.UTC).isoformat(),
            **extra,
        }
        ledger.append(self.root, self.assignment, record)
        return record


def grade(app, settings, assignments, students=(), workers=None, force=False, zygote=None):
    """Grade the submissions of each assignment; return the records of this run.

    zygote: a Zygote started early (it imports while nbgrader loads), or None for a new one.
    """
    root = Path(app.coursedir.root)
    log_to(app, root / ledger.DIR / "grade.log")
    # nbgrader's gradebook warns about its own session handling; it would tear the bar apart.
    warnings.filterwarnings("ignore", category=SAWarning)
    batches = [Batch(settings, a, coursedir=app.coursedir, parent=app) for a in assignments]
    plans = [(batch, *batch.plan(students, force)) for batch in batches]
    missing = set(students) - {s for _, todo, done in plans for s in todo + done}
    if missing:
        raise UsageError(f"no submission of {', '.join(assignments)} by {', '.join(missing)}")
    todo = [(batch, student) for batch, students_, _ in plans for student in students_]
    skipped = sum(len(done) for _, _, done in plans)
    if not todo:
        print(f"All {skipped} submissions are graded already; --force regrades them.")
        return []
    modules = sorted({name for batch in batches for name in batch.preload()})
    if zygote is None:
        zygote = start(root, settings, modules)
    else:
        zygote.load(modules)  # what the configured source/ imports beyond the usual layout
    os.environ["NBGRADER_EXECUTION"] = "autograde"  # what stock sets while its kernels run
    progress = Progress(len(todo), sys.stderr, skipped=skipped)
    records = []
    try:
        records = drive(todo, zygote, workers or settings.worker_count(), progress)
    finally:
        zygote.close(kill=len(records) < len(todo))
        progress.close()
    if (zygote.hello or {}).get("failed"):
        print(f"Not preloaded (slower, same grades): {'; '.join(zygote.hello['failed'])}")
    print(summary(records, time.monotonic() - progress.started, sandbox.describe(zygote.limits)))
    return records


def drive(todo, zygote, workers, progress):
    """Keep every worker busy; prepare and save on this (the main) thread."""
    records, waiting, running = [], iter(todo), {}
    STOP.clear()
    with ThreadPoolExecutor(workers, thread_name_prefix="notebook") as pool:
        try:
            while True:
                while len(running) <= workers and (item := next(waiting, None)) is not None:
                    batch, student = item
                    try:
                        sub = batch.prepare(student)
                    except Exception as err:
                        records.append(progress.done(batch.fail(student, err)))
                        continue
                    running[pool.submit(batch.run, sub, zygote)] = (batch, sub)
                if not running:
                    return records
                finished, _ = wait(running, timeout=0.2, return_when=FIRST_COMPLETED)
                if STOP.is_set():  # a SIGINT that landed in a callback, which drops it
                    raise KeyboardInterrupt
                for future in finished:
                    records.append(progress.done(save(*running.pop(future), future)))
        except BaseException:
            zygote.close(kill=True)  # ends every kernel: the workers return at once
            pool.shutdown(cancel_futures=True)
            raise


def save(batch, sub, future):
    try:
        future.result()
        return batch.save(sub)
    except Exception as err:
        return batch.fail(sub.student, err, sub)


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


def mark_unrun(nb, first, reason):
    """Give cell `first` and every later code cell an error output: they did not finish."""
    for index, cell in enumerate(nb.cells[first:], first):
        if cell.cell_type == "code":
            what = "stopped in this cell" if index == first else "this cell was not run"
            text = f"{what}: {reason}"
            error = nbformat.v4.new_output(
                "error", ename="AutograderStopped", evalue=text, traceback=[text]
            )
            cell.outputs.append(error)


def tampering(notebook):
    """The kernel's guard refused to run cells (guard.py): name the first, and why."""
    for index, cell in enumerate(notebook.nb.cells):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("ename") == guard.ENAME:
                why = out.get("evalue", "").partition(": ")[2]
                name = os.path.basename(notebook.dest)
                return [
                    f"{name}: tampering detected before cell {cell_name(notebook.nb, index)}: {why}"
                ]
    return []


def timed_out(nb):
    return [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        and any(o.get("ename") == TIMEOUT_ENAME for o in cell.get("outputs", []))
    ]


def cell_name(nb, index):
    grade_id = nb.cells[index].get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return grade_id or f"#{index + 1}"


def first_line(err):
    return (str(err).strip().splitlines() or [""])[0][:200]


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
