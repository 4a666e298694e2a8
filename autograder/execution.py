"""The run step: a prepared submission in, its executed notebooks out, on any machine.

`run(prepared, zygote, folder, log)` runs each notebook of a `Prepared` submission in a kernel
forked from `zygote` (sandboxed where the zygote is), then nbgrader's preprocessors that only
transform the notebook (IgnorePattern, ClearMetadataPreprocessor, LimitOutput), and returns a
`RunResult`. Both are plain data, so that a Dask worker can take one and send back the other:
nothing here touches the gradebook or nbgrader's converter.

Where the run of a notebook is cut short (its notebook_timeout, or a kernel that dies), the
cells that ran keep their outputs and the others get an error output saying why, so their
tests score zero; stock nbgrader drops the whole submission instead. Any other error fails
the submission (RunFailed), as in stock nbgrader.
"""

import dataclasses
import importlib
import os
import signal
import time
from dataclasses import dataclass, field

import nbformat
from nbclient.exceptions import CellTimeoutError
from nbconvert.exporters import NotebookExporter
from nbgrader.preprocessors import Execute

from autograder import guard, scan
from autograder.cells import nbgrader_meta
from autograder.config import Autograder
from autograder.kernel import Forking, KernelJob, UnreadableMessage, forking

TIMEOUT_ENAME = "CellTimeoutError"  # what nbgrader's Execute records for a cell timeout


@dataclass
class RunLimits:
    notebook_timeout: int  # seconds, kernel start included
    cell_timeout: int | None  # None: c.Execute.timeout
    output_bytes: int


@dataclass
class NotebookRun:
    name: str  # its file name in the submission, e.g. "requires_grad.ipynb"
    nb: nbformat.NotebookNode  # a dict of JSON values
    resources: dict  # what nbgrader's preprocessors read: metadata, nbgrader ids


@dataclass
class Prepared:
    """A sanitized submission with everything a machine needs to run it."""

    assignment: str
    student: str
    fingerprint: str  # of its submitted files: a resubmission changes it
    notebooks: list = field(default_factory=list)  # NotebookRun, in order
    flags: list = field(default_factory=list)  # reasons found so far to distrust its scores
    steps: list = field(default_factory=list)  # "module:Class" of the run's preprocessors
    config: object = None  # nbgrader's traitlets Config, which those preprocessors read
    limits: RunLimits | None = None
    settings: dict = field(default_factory=dict)  # c.Autograder's values: the scan's policy
    folder: str = ""  # where it runs on the coordinator: its autograded folder
    files: dict | None = None  # {path in folder: bytes}, for a machine without that folder


@dataclass
class RunResult:
    student: str
    notebooks: list = field(default_factory=list)  # NotebookRun, executed
    problems: list = field(default_factory=list)
    flags: list = field(default_factory=list)  # found while it ran: the scan, the guard
    kernel_cpu: float = 0.0  # CPU seconds its kernels used, when forked
    seconds: float = 0.0
    kernel_log: str = ""  # what its kernels printed outside cells, when something went wrong
    restarts: int = 0  # kernels that died before their first cell and were started again


class RunFailed(Exception):
    """The submission cannot be graded; `result` holds what its run found before."""

    def __init__(self, summary, result):
        super().__init__(summary, result)
        self.summary, self.result = summary, result

    def __str__(self):
        return self.summary


def step_name(cls):
    return f"{cls.__module__}:{cls.__qualname__}"


def step_class(name):
    module, _, qualname = name.partition(":")
    cls = importlib.import_module(module)
    for part in qualname.split("."):
        cls = getattr(cls, part)
    return forking(cls) if issubclass(cls, Execute) else cls


def run(prepared, zygote, folder, log):
    """Run `prepared` in `folder` (its files are there); kernels fork from `zygote`."""
    started, limits = time.monotonic(), prepared.limits
    result = RunResult(prepared.student)
    steps = [step_class(name) for name in prepared.steps]
    settings = Autograder(**prepared.settings)

    def run_notebook(notebook):
        exporter = NotebookExporter(config=prepared.config)  # fresh preprocessors, as stock
        for step in steps:
            exporter.register_preprocessor(step)
        nb, resources = notebook.nb, dict(notebook.resources)
        resources["metadata"] = dict(resources["metadata"], path=folder)
        result.flags.extend(scan.suspicious(nb, notebook.name, settings))
        for pp in exporter._preprocessors:
            if isinstance(pp, Forking):
                deadline = time.monotonic() + limits.notebook_timeout
                pp.job = KernelJob(
                    zygote,
                    log,
                    deadline,
                    limits.cell_timeout,
                    limits.output_bytes,
                    guard=settings.guard_policy(),
                )
                nb, resources = _execute(pp, nb, resources, result, limits)
            else:
                nb, resources = pp(nb, resources)
        result.flags.extend(tampering(nb, notebook.name))
        return NotebookRun(notebook.name, nb, resources)

    try:
        result.notebooks = [run_notebook(notebook) for notebook in prepared.notebooks]
    except Exception as err:
        raise RunFailed(f"{type(err).__name__}: {first_line(err)}", result) from err
    finally:
        result.seconds = time.monotonic() - started
    if not result.problems and not result.restarts and os.path.exists(log):
        os.unlink(log)  # keep the kernel logs worth reading
    return result


def _execute(pp, nb, resources, result, limits):
    """Nbgrader's Execute, with a kernel that dies or is stopped scored cell by cell."""
    try:
        ran = _start_twice(pp, nb, resources, result)
    except Exception as err:
        job = pp.job
        if isinstance(err, UnreadableMessage):
            job.stop(str(err))
        end = _exit(job, result)
        if isinstance(err, CellTimeoutError) and end and not job.stopped:
            # nbclient killed the kernel. One the grader had stopped already (its output)
            # keeps that reason: on a busy machine, the cell's timeout can come first.
            job.stopped = "cell timeout; the kernel ignored the interrupt"
        died = end and (end["timed_out"] or job.stopped or not job.killed)
        if not died or pp.running is None:
            raise  # as in stock nbgrader, the whole submission fails
        reason = stop_reason(end, job, limits)
        mark_unrun(nb, pp.running, reason)
        result.problems.append(f"{reason} (in cell {cell_name(nb, pp.running)})")
        return nb, resources
    _exit(pp.job, result)
    result.problems.extend(f"cell timeout in {cell_name(nb, i)}" for i in timed_out(nb))
    return ran


def _start_twice(pp, nb, resources, result):
    """Run the notebook; a kernel that died by itself before its first cell gets one more try.

    No cell of the submission had run: the death is the machine's, not the student's. (One
    such race: jupyter_client picks free ports for the kernel, and another process on the
    machine binds one of them first.) The new kernel gets new ports; a second death fails
    the submission as in stock nbgrader. Its log is kept (.autograder/logs).
    """
    try:
        return pp(nb, resources)
    except Exception as err:
        job = pp.job
        if pp.running is not None or job.killed or job.stopped:
            raise
        end = job.exit()  # None: not forked, or not dead
        if end is None or end["timed_out"]:
            raise
        _exit(job, result)
        why = f"{first_line(err)} ({stop_reason(end, job, None)})"
        with open(job.log, "a", encoding="utf-8") as kept:  # the trace an instructor reads
            kept.write(
                f"[autograder] the kernel died before its first cell: {why}; started again\n"
            )
        result.restarts += 1
        pp.job = dataclasses.replace(job, pid=None, forked=False, killed=False, end=None)
        return pp(nb, resources)


def _exit(job, result):
    end = job.exit()
    result.kernel_cpu += (end or {}).get("cpu", 0.0)
    return end


def stop_reason(end, job, limits):
    if job.stopped:
        return job.stopped
    if end["timed_out"]:
        return f"notebook timeout ({limits.notebook_timeout} s)"
    status = end["status"]
    if status is not None and status < 0:
        return f"kernel killed by {signal.Signals(-status).name}"
    return f"kernel died (exit status {status})"


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


def tampering(nb, name):
    """The kernel's guard refused to run cells (guard.py): name the first, and why."""
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("ename") == guard.ENAME:
                why = out.get("evalue", "").partition(": ")[2]
                return [f"{name}: tampering detected before cell {cell_name(nb, index)}: {why}"]
    return []


def timed_out(nb):
    return [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        and any(o.get("ename") == TIMEOUT_ENAME for o in cell.get("outputs", []))
    ]


def cell_name(nb, index):
    grade_id = nbgrader_meta(nb.cells[index]).get("grade_id")
    return grade_id or f"#{index + 1}"


def first_line(err):
    return (str(err).strip().splitlines() or [""])[0][:200]
