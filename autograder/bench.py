"""`make bench`: stock `nbgrader autograde` against `python -m autograder grade`, same batch.

Builds a throwaway course with every chapter of source/ and --count submissions (by default
a class, 40 per chapter): the reference answers, the blank release and every answer of
tests/answers/, taken in turn from each chapter and repeated under new student ids. One copy
is graded by stock nbgrader (one `nbgrader autograde` per assignment, as an instructor runs
it), an identical copy by
the autograder (one run for all of them, in its sandbox), a third by the autograder with
the sandbox off, one by the autograder on a Dask cluster on this machine (a scheduler and a
worker per core, started before the clock runs), and, when run as root, one by the
autograder as an unprivileged user (the rootless sandbox); then every per-cell score must be
the same.
Prints seconds per notebook for each, the speed-up with the sandbox on, what the sandbox
costs in each mode, a grade call's start-up seconds and one student's regrade (stock and
ours, median of 3); exits 1 if any score differs.
"""

import argparse
import datetime
import itertools
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from autograder import cluster, ledger, scratch
from autograder.cells import nbgrader_meta


def build(course, count):
    """A course with `count` submissions, the chapters taking turns; {assignment: n}."""
    chapters = scratch.assignments()
    scratch.make_course(course, chapters)
    pools = [pool for a in chapters if (pool := submissions(course, a))]
    turns = itertools.cycle(itertools.chain.from_iterable(itertools.zip_longest(*pools)))
    made = {}
    for i, item in enumerate(x for x in turns if x is not None):
        if i == count:
            break
        a, name, answer = item
        scratch.submit(course, a, f"s{i:03d}-{name}", answer)
        made[a] = made.get(a, 0) + 1
    return made


def submissions(course, a):
    """[(assignment, name, answers)]: the reference, the blank release, the catalogue."""
    try:
        scratch.generate_release(course, a)
    except AssertionError as err:  # a chapter being written: leave it out, say so
        print(f"skipping {a}: nbgrader cannot release it\n{err}", file=sys.stderr)
        return []
    cells = scratch.solution_cells(nbformat.read(scratch.notebook_path(a), as_version=4))
    ref = {gid: scratch.reference_answer(c) for gid, c in cells.items()}
    pool = [("reference", ref), ("blank", {})]
    pool += [
        (x.student, ref | {x.function: x.source()})
        for x in scratch.answers(a)
        if x.function in cells
    ]
    return [(a, name, answer) for name, answer in pool]


def timed(cmd, cwd):
    """(wall-clock seconds, CPU seconds of the command and all its descendants)."""
    cpu, start = children_cpu(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=scratch.venv_env(), capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    timed.stdout = proc.stdout
    return time.perf_counter() - start, children_cpu() - cpu


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def normalized(path):
    """A notebook without what differs between any two runs: pids, addresses, timings,
    images, and how the kernel happened to cut its output into stream chunks."""
    text = re.sub(r"0x[0-9a-f]+|ipykernel_\d+", "_", Path(path).read_text(encoding="utf-8"))
    nb = nbformat.reads(text, as_version=4)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        merged = []
        for out in cell.get("outputs", []):
            out.get("data", {}).pop("image/png", None)
            last = merged[-1] if merged else {}
            if out.output_type == "stream" and last.get("name") == out.get("name"):
                last["text"] += out["text"]
            else:
                merged.append(out)
        if "outputs" in cell:
            cell.outputs = merged
    return nb


def kernel_cpu(course, made):
    """CPU seconds the autograder's kernels spent, as its ledger recorded them."""
    records = [r for a in made for r in ledger.latest(course, a).values()]
    return sum(r.get("kernel_cpu", 0) for r in records)


def compare(stock, fast, made):
    """(per-cell scores that differ, autograded notebooks that differ beyond noise)."""
    scores = []
    for a in made:
        want, got = scratch.scores(stock, a), scratch.scores(fast, a)
        scores += [(a, s, want.get(s), got.get(s)) for s in sorted(set(want) | set(got))]
    bad = [row for row in scores if row[2] != row[3] or not row[2]]
    notebooks = sorted(stock.glob("autograded/*/*/*.ipynb"))
    differ = [p for p in notebooks if normalized(p) != normalized(fast / p.relative_to(stock))]
    return bad, differ, len(notebooks)


def regrades(stock, fast, made):
    """((assignment, student), stock s, autograder s): one student's regrade, median of 3."""
    a = next(iter(made))
    student = sorted(p.name for p in (fast / "submitted").iterdir() if (p / a).is_dir())[0]
    for_student = [a, "--student", student, "--force"]
    stock_cmd = [sys.executable, "-m", "nbgrader", "autograde", *for_student]
    ours_cmd = [sys.executable, "-m", "autograder", "grade", *for_student]
    want = statistics.median(timed(stock_cmd, stock)[0] for _ in range(3))
    got = statistics.median(timed(ours_cmd, fast)[0] for _ in range(3))
    return (a, student), want, got


def top_to_bottom(a):
    """(seconds of `jupyter nbconvert --execute` on the reference notebook, kernel start
    included, as a student runs it; seconds its cells ran after the first (the imports, which
    the zygote preloads); the share of those before the first answer cell: the release's own
    prefix, the same in every submission)."""
    command = [str(Path(sys.executable).parent / "jupyter"), "nbconvert", "--to", "notebook"]
    wall, _ = timed([*command, "--execute", "--stdout", str(scratch.notebook_path(a))], None)
    nb = nbformat.reads(timed.stdout, as_version=4)
    first = next(i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("solution"))
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    seconds = [(i, cell_seconds(nb.cells[i])) for i in code[1:]]
    cells = sum(t for _, t in seconds)
    return wall, cells, sum(t for i, t in seconds if i < first) / cells


def cell_seconds(cell):
    times = cell.metadata.get("execution", {})
    start, end = times.get("iopub.execute_input"), times.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    parse = datetime.datetime.fromisoformat
    return (parse(end) - parse(start)).total_seconds()


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m autograder.bench", description=__doc__)
    p.add_argument("--count", type=int, help="submissions (default: a class, 40 per chapter)")
    p.add_argument("--workers", type=int, help="autograder workers (default: one per core)")
    p.add_argument("--keep", type=Path, help="build the courses here and keep them")
    args = p.parse_args(argv)
    root = args.keep or Path(tempfile.mkdtemp(prefix="autograder-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)  # the unprivileged user's course lies below it
    stock, fast, bare = root / "stock", root / "fast", root / "unsandboxed"
    rootless, clustered = root / "rootless", root / "cluster"
    made = build(stock, args.count or 40 * len(scratch.assignments()))
    shutil.copytree(stock, fast)
    shutil.copytree(stock, bare)
    shutil.copytree(stock, clustered)
    if os.geteuid() == 0:
        shutil.copytree(stock, rootless)
    with open(bare / "nbgrader_config.py", "a", encoding="utf-8") as f:
        f.write("\nc.Autograder.sandbox = 'off'\n")
    n = sum(made.values())
    print(f"{n} submissions: {', '.join(f'{a} {k}' for a, k in made.items())}", flush=True)
    print(f"stock nbgrader autograde, one run per assignment ({len(made)}) ...", flush=True)
    runs = [timed([sys.executable, "-m", "nbgrader", "autograde", a], stock) for a in made]
    t_stock, cpu_stock = map(sum, zip(*runs, strict=True))
    workers = ["--workers", str(args.workers)] if args.workers else []
    print("python -m autograder grade ...", flush=True)
    t_fast, cpu_fast = timed([sys.executable, "-m", "autograder", "grade", *made, *workers], fast)
    sandboxed = timed.stdout.strip().splitlines()[-1]
    # The same call again, with everything graded already: what one grade call costs before it
    # grades anything (imports, the zygote's warm-up, the gradebook, the plan).
    t_startup, _ = timed([sys.executable, "-m", "autograder", "grade", *made], fast)
    print("python -m autograder grade, sandbox off ...", flush=True)
    t_bare, cpu_bare = timed([sys.executable, "-m", "autograder", "grade", *made, *workers], bare)
    rows = [
        ("stock nbgrader", t_stock, cpu_stock),
        ("autograder", t_fast, cpu_fast),
        ("  sandbox off", t_bare, cpu_bare),
    ]
    bad, differ, graded = compare(stock, fast, made)
    regrade = regrades(stock, fast, made)
    print("python -m autograder grade --cluster (a worker per core on 127.0.0.1) ...", flush=True)
    cores = args.workers or len(os.sched_getaffinity(0))
    with cluster.Processes(root / "dask", workers=cores, env=scratch.venv_env()) as dask:
        command = [sys.executable, "-m", "autograder", "grade", *made, "--cluster", dask.address]
        # The workers are not the command's children: its CPU is the coordinator's own.
        t_cluster, cpu_coordinator = timed(command, clustered)
    bad += compare(stock, clustered, made)[0]
    if rootless.exists():
        print("python -m autograder grade, as an unprivileged user (rootless) ...", flush=True)
        prefix = scratch.as_user("autograder-bench", rootless)
        command = [*prefix, sys.executable, "-m", "autograder", "grade", *made]
        t_user, cpu_user = timed([*command, *workers], rootless)
        rows.append(("  rootless", t_user, cpu_user))
        bad += compare(stock, rootless, made)[0]
    print(f"{'':16} {'wall':>8} {'per notebook':>13} {'CPU per notebook':>17}")
    for name, wall, cpu in rows:
        print(f"{name:16} {wall:7.1f}s {wall / n:12.3f}s {cpu / n:16.3f}s")
    print(f"speed-up:        {t_stock / t_fast:.1f}x  ({os.cpu_count()} cores; {sandboxed})")
    print(f"sandbox cost:    {t_fast / t_bare:.2f}x the wall time of the autograder without it")
    print(
        f"cluster cost:    {t_cluster / t_fast:.2f}x the local runner's wall time "
        f"({cores} Dask workers of 1 thread on this machine: the submissions and results "
        f"travel, every worker warms its own zygote; {t_cluster / n:.3f}s per notebook)"
    )
    print(
        f"coordinator:     {cpu_coordinator / n:.3f}s CPU per notebook (prepare, save, start-up: "
        "what one grading machine spends, however many workers run the notebooks)"
    )
    if rootless.exists():
        print(f"rootless cost:   {t_user / t_bare:.2f}x (sandboxed as an unprivileged user)")
    else:
        print("rootless cost:   not measured (run make bench as root to compare both modes)")
    print(f"start-up:        {t_startup:.2f}s per grade call (run again, nothing left to grade)")
    (a, student), want, got = regrade
    print(
        f"regrade:         one student's {a}, command to exit, median of 3: stock {want:.2f}s, "
        f"autograder {got:.2f}s, {want / got:.1f}x"
    )
    print(f"kernel CPU (notebook code, the floor): {kernel_cpu(fast, made) / n:.3f}s per notebook")
    print("top to bottom (jupyter nbconvert --execute of the reference, kernel start included):")
    for a in made:
        wall, cells, prefix = top_to_bottom(a)
        print(
            f"  {a:24} {wall:5.1f}s{'  OVER 10 s' if wall > 10 else ''}  (cells after the "
            f"imports {cells:.1f}s, {prefix:.0%} of it before the first answer cell)"
        )
    print(f"per-cell scores: {'identical' if not bad else f'{len(bad)} submissions DIFFER'}")
    same = graded - len(differ)
    print(f"autograded notebooks identical up to pids/addresses/timing: {same}/{graded}")
    for row in bad[:10]:
        print("  differs:", *row)
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return 1 if bad or graded != n else 0


if __name__ == "__main__":
    sys.exit(main())
