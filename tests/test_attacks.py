"""The attack catalogue: submissions that try to cheat or break `python -m autograder grade`.

Every attack is a chapter 1 submission whose `make_param` answer cell holds the attack and
no working answer, so that make_param's tests earn nothing honestly; the other answers are
the reference. All of them, with two honest reference submissions, are graded in ONE batch
(per sandbox mode, below).
For each the outcome asserted is the issue's: the submission is graded (the batch goes
on), and either it is flagged for manual grading, or the tests the attack could reach
score zero, never unearned points without a flag. Each attack also asserts the defence
meant for it (`expect`): the kernel's guard, the limits, or the sandbox; and, where the
static scan must see it, what the scan's flag names (`scan`).

Chapters 6 and 7 run student code while autograd runs: a custom Function's backward, tensor,
module and grad_fn hooks, saved-tensor hooks. The attacks that hide in these constructs run
it at cell time here (chapter 1's tests backpropagate through nothing the student made), and
are stopped the same way: by the scan before grading, by the guard when the cell ends.

The whole catalogue runs twice, the sandbox required both times (c.Autograder.sandbox =
"require"): as root (a uid and cgroups per kernel), and as an unprivileged user, "rootless"
(a user namespace per kernel). As root the test makes that user (USER) and hands it its own
copy of the course; as anyone else it grades as itself and skips the root batch, saying why.
Under CI neither is skipped, and each must say which sandbox it graded in. A third batch,
of the attacks in ON_CLUSTER, goes through `grade --cluster`: a real Dask scheduler and two
workers, each grading in a zygote and sandbox of its own. Attacks on the
machine itself (fork bomb, memory bomb, disk filling, killing processes, reading the
grader's environment or writing the course) thus only ever run in the sandbox. The
grader's environment holds canary secrets (CANARIES) that no output may show, and a second
honest submission (reference-2) must score in full beside the bombs.
"""

import csv
import hashlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from coursekit import (
    ROOT,
    as_user,
    autograder,
    by_exercise,
    generate_release,
    make_course,
    reference_answers,
    scores,
    submit,
    venv_env,
)

from autograder import ledger, sandbox
from autograder.cluster import Processes

CH1 = "01_requires_grad"
# cell_timeout: the memory bomb must reach its MemoryError first. It fills about 1.2 GB, and
# where the machine backs its memory lazily (a fresh VM) that costs up to 5 s of CPU.
LIMITS = """
c.Autograder.sandbox = "require"
c.Autograder.cell_timeout = 12
c.Autograder.notebook_timeout = 40
c.Autograder.output_mb = 4
c.Autograder.memory_mb = 2048
c.Autograder.file_mb = 8
c.Autograder.work_mb = 128
"""
SANDBOX = sandbox.probe()
STUB = "\ndef make_param(values):\n    raise NotImplementedError()\n"
MODES = ["root", "rootless"]
# Graded through `grade --cluster` too (a Dask scheduler and two workers on 127.0.0.1, each
# worker with its own zygote and sandbox): what a worker's sandbox must stop, and the guard.
ON_CLUSTER = {
    "torch-allclose", "sleep-past-limit", "output-flood", "fork-bomb", "memory-bomb",
    "kill-parent", "read-other-student", "write-gradebook", "network", "grader-environment",
    "link-to-source",
}  # fmt: skip
USER = "autograder-attack"  # the unprivileged instructor of the rootless batch (as root)
HONEST = ["reference", "reference-2"]  # graded in the same batch as the attacks
FULL = {"make_param": 2, "blitz_grad": 2, "graph_leaves": 2}
# In the environment of `grade`, in both modes: no output of a submission may show them.
CANARIES = {
    "AUTOGRADER_TEST_SECRET_TOKEN": f"canary-token-{secrets.token_hex(12)}",
    "PGPASSWORD": f"canary-pg-{secrets.token_hex(12)}",
    "COURSE_CANARY": f"canary-plain-{secrets.token_hex(12)}",  # not secret-named: not allowed
}
# What an attack prints of the pids it sees: pid 1 of its namespace, it sees only its own.
PIDS = "import os\nprint('PIDS', sorted(int(p) for p in os.listdir('/proc') if p.isdigit()), flush=True)\n"
MAX_PID = 40


@dataclass(frozen=True)
class Attack:
    name: str
    code: str  # the make_param cell; {course} and {port} are filled in
    # "guard", "flag", "zero", "died", "output", "timeout", "blocked", "linked",
    # "survived" (it could reach nothing beyond its own namespace), "env" (no canary shows)
    expect: str
    confined: bool = False  # dangerous to the machine: only in the sandbox
    scan: str = ""  # text of the static scan's flag, where the scan must see the attack
    shows: str = ""  # what its outputs must show: the defence that stopped it, at work
    links: tuple = ()  # (name, target) of symbolic links put in its submission folder
    problem: str = ""  # what the grader's record must name as the submission's problem


ATTACKS = [
    # IPython's machinery: rewrite, blank or hide the later (test) cells.
    Attack("input-transformer-blanks", "get_ipython().input_transformers_cleanup.append(lambda lines: [])", "guard"),
    Attack("input-transformer-post", "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])", "guard"),
    Attack("input-manager-line", "get_ipython().input_transformer_manager.line_transforms.append(lambda lines: [])", "guard"),
    Attack("ast-transformer-drops-asserts", "import ast\nclass Drop(ast.NodeTransformer):\n    def visit_Assert(self, node):\n        return ast.Pass()\nget_ipython().ast_transformers.append(Drop())", "guard"),
    Attack("pre-run-cell-hook", "import torch\nget_ipython().events.register('pre_run_cell', lambda info: setattr(torch, 'allclose', lambda *a, **k: True))", "guard"),
    Attack("post-run-cell-hook", "get_ipython().events.register('post_run_cell', lambda result: None)", "guard"),
    Attack("custom-exception-handler", "get_ipython().set_custom_exc((BaseException,), lambda *args, **kwargs: None)", "guard"),
    Attack("showtraceback-silenced", "get_ipython().showtraceback = lambda *args, **kwargs: None", "guard"),
    Attack("shell-class-run-cell", "from IPython.core.interactiveshell import InteractiveShell\nInteractiveShell.run_cell = lambda self, *a, **k: None", "guard"),
    Attack("shell-run-cell-shadowed", "get_ipython().run_cell = lambda *args, **kwargs: None", "guard"),
    Attack("sys-excepthook", "import sys\nsys.excepthook = lambda *args: None", "zero"),  # IPython restores it
    Attack("stderr-hidden", "import sys, io\nsys.stderr = io.StringIO()", "guard"),
    # Monkeypatching what the tests call.
    Attack("torch-allclose", "import torch\ntorch.allclose = lambda *args, **kwargs: True", "guard"),
    Attack("torch-equal", "import torch\ntorch.equal = lambda *args, **kwargs: True", "guard"),
    Attack("torch-testing-assert-close", "import torch.testing\ntorch.testing.assert_close = lambda *args, **kwargs: None", "guard"),
    Attack("torch-gradcheck", "import torch\ntorch.autograd.gradcheck = lambda *args, **kwargs: True", "guard"),
    Attack("tensor-backward", "import torch\ntorch.Tensor.backward = lambda self, *args, **kwargs: None", "guard"),
    Attack("tensor-eq", "import torch\ntorch.Tensor.__eq__ = lambda self, other: True", "guard"),
    Attack("builtins-isinstance", "import builtins\nbuiltins.isinstance = lambda *args: True", "zero"),  # the kernel hangs
    Attack("builtins-assertionerror", "import builtins\nbuiltins.AssertionError = type('Quiet', (Exception,), {})", "guard"),
    Attack("sys-modules-torch", "import sys, types\nsys.modules['torch'] = types.ModuleType('torch')", "guard"),
    Attack("sys-meta-path", "import sys\nsys.meta_path.insert(0, object())", "guard"),
    Attack("course-check", "import course\ncourse.check = lambda *args, **kwargs: None", "guard"),
    Attack("course-checks-module", "import course.checks\ncourse.checks.fail = lambda *args, **kwargs: None", "guard"),
    Attack("rebind-check", "check = lambda *args, **kwargs: None", "guard"),
    Attack("patch-at-call-time", "def make_param(values):\n    globals()['check'] = lambda *args, **kwargs: None\n    return values", "guard"),
    Attack("sigint-ignored", "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)", "guard"),
    # Answers that pretend to be right.
    Attack("eq-always-true", "class Yes:\n    def __eq__(self, other):\n        return True\n    def __bool__(self):\n        return True\ndef make_param(values):\n    return Yes()", "zero"),
    Attack("tensor-subclass", "import torch\nclass T(torch.Tensor):\n    def __eq__(self, other):\n        return torch.ones((), dtype=torch.bool)\ndef make_param(values):\n    return torch.zeros(1).as_subclass(T)", "zero"),
    Attack("torch-function-override", "import torch\nclass Fake:\n    @classmethod\n    def __torch_function__(cls, func, types, args=(), kwargs=None):\n        return True\ndef make_param(values):\n    return Fake()", "zero"),
    Attack("dynamic-code", "import base64\nexec(base64.b64decode(b'eCA9IDE='))", "flag"),
    # Hidden in autograd's extension points (chapters 6 and 7): code that runs during backward.
    Attack("function-backward-patches-check", "import torch, course\nclass Leak(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n        return x.clone()\n    @staticmethod\n    def backward(ctx, g):\n        course.check = lambda *args, **kwargs: None\n        return g\nLeak.apply(torch.ones(1, requires_grad=True)).sum().backward()", "guard", scan="course.check = ..."),
    Attack("function-backward-hands-module", "import torch\ndef patch(m):\n    m.assert_close = lambda *args, **kwargs: None\nclass Leak(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n        return x.clone()\n    @staticmethod\n    def backward(ctx, g):\n        patch(torch.testing)\n        return g\nLeak.apply(torch.ones(1, requires_grad=True)).sum().backward()", "guard", scan="hands the module torch.testing"),
    Attack("ctx-smuggles-module", "import torch\nclass Leak(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n        ctx.lib = torch\n        return x.clone()\n    @staticmethod\n    def backward(ctx, g):\n        ctx.lib.allclose = lambda *args, **kwargs: True\n        return g\nLeak.apply(torch.ones(1, requires_grad=True)).sum().backward()", "guard", scan="ctx.lib.allclose = ..."),
    Attack("tensor-hook-rebinds-check", "import torch\ndef hook(grad):\n    global check\n    check = lambda *args, **kwargs: None\n    return grad\nx = torch.ones(2, requires_grad=True)\nx.register_hook(hook)\n(x * 2).sum().backward()", "guard", scan="global check"),
    Attack("grad-fn-prehook-patches", "import torch\nout = (torch.ones(2, requires_grad=True) * 2).sum()\nout.grad_fn.register_prehook(lambda grads: setattr(torch, 'equal', lambda *args, **kwargs: True))\nout.backward()", "guard", scan="setattr"),
    Attack("module-hook-patches-tensor", "import torch\nlayer = torch.nn.Linear(1, 1)\ndef spy(module, inputs, output):\n    torch.Tensor.backward = lambda self, *args, **kwargs: None\nlayer.register_forward_hook(spy)\nlayer(torch.ones(1))", "guard", scan="torch.Tensor.backward = ..."),
    Attack("returned-module", "import torch\ndef lib():\n    return torch\nlib().equal = lambda *args, **kwargs: True", "guard", scan="lib().equal = ..."),
    Attack("saved-tensor-hooks-left-on", "import contextlib, torch\nstack = contextlib.ExitStack()\nstack.enter_context(torch.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t * 0))", "guard", scan="enter_context"),
    Attack("saved-tensor-hooks-in-generator", "import torch\ndef held():\n    with torch.autograd.graph.saved_tensors_hooks(lambda t: t, torch.zeros_like):\n        yield\nkeep = held()\nnext(keep)", "guard"),
    # Stopping the kernel or the batch.
    Attack("sys-exit", "import sys\nsys.exit(0)", "zero"),
    Attack("os-exit-in-test", "import os\ndef make_param(values):\n    os._exit(0)", "died"),
    Attack("segfault", "import ctypes\ndef make_param(values):\n    ctypes.string_at(0)", "died"),
    Attack("sigint-ignoring-loop", "import signal\ndef make_param(values):\n    signal.signal(signal.SIGINT, signal.SIG_IGN)\n    while True:\n        pass", "timeout"),
    Attack("sleep-past-limit", "import time\ndef make_param(values):\n    time.sleep(3600)", "timeout"),
    Attack("output-flood", "def make_param(values):\n    while True:\n        print('x' * 100_000)", "output"),
    Attack("forged-signature", "def make_param(values):\n    get_ipython().kernel.session.key = b'forged'\n    print('signed with another key', flush=True)", "died", problem="unreadable message from the kernel (Invalid Signature)"),
    Attack("fork-bomb", "import os, time\ndef make_param(values):\n    while True:\n        try:\n            os.fork()\n        except OSError as err:\n            print(err, flush=True)\n            time.sleep(60)", "timeout", confined=True, shows="Errno 11"),
    Attack("memory-bomb", "blocks = []\nwhile True:\n    blocks.append(b'x' * (64 << 20))", "zero", confined=True, shows="MemoryError"),
    Attack("disk-fill", "import os\ndef make_param(values):\n    with open('fill', 'wb') as f:\n        while True:\n            f.write(os.urandom(1 << 20))", "zero", confined=True),
    Attack("kill-everything", "import os, signal\nos.kill(-1, signal.SIGKILL)", "zero", confined=True),
    Attack("kill-parent", PIDS + "import time\nfor name in ('JPY_PARENT_PID', 'AUTOGRADER_PARENT_PID'):\n    try:\n        os.kill(int(os.environ[name]), 9)\n    except (KeyError, ValueError, OSError) as err:\n        print(name, repr(err))\nprint('ppid', os.getppid(), flush=True)\ntime.sleep(0.5)\nos.kill(os.getppid(), 9)", "survived", confined=True, shows="ppid 0"),
    Attack("kill-visible-pids", PIDS + "for pid in os.listdir('/proc'):\n    if pid.isdigit() and int(pid) != os.getpid():\n        try:\n            os.kill(int(pid), 9)\n        except OSError as err:\n            print(pid, err)", "survived", confined=True),
    Attack("killpg-own-group", PIDS + "import time\ntime.sleep(0.5)\nos.killpg(0, 9)", "survived", confined=True),
    Attack("kill-pids-1-to-200", PIDS + "for pid in range(1, 201):\n    try:\n        os.kill(pid, 9)\n    except OSError:\n        pass", "survived", confined=True),
    Attack("sigkill-self-in-test", "import os, resource, signal, time\ndef make_param(values):\n    os.kill(os.getpid(), signal.SIGKILL)  # pid 1 of its namespace ignores it: then the CPU limit\n    used = int(time.process_time()) + 1\n    resource.setrlimit(resource.RLIMIT_CPU, (used, used))\n    while True:\n        pass", "died", confined=True, problem="kernel killed by SIG"),
    Attack("stdio-closed-loop", "import os\ndef make_param(values):\n    for fd in (0, 1, 2):\n        os.close(fd)\n    while True:\n        pass", "timeout"),
    # Reading and writing what a submission must not see.
    Attack("read-hidden-tests", "print(open('{course}/source/01_requires_grad/requires_grad.ipynb').read())", "blocked", confined=True),
    Attack("read-gradebook", "print(open('{course}/gradebook.db', 'rb').read(100))", "blocked", confined=True),
    Attack("read-other-student", "print(open('{course}/submitted/reference/01_requires_grad/requires_grad.ipynb').read())", "blocked", confined=True),
    Attack("list-course", "import os\nprint(os.listdir('{course}'))", "blocked", confined=True),
    Attack("write-gradebook", "open('{course}/gradebook.db', 'wb').write(b'gone')", "blocked", confined=True),
    Attack("write-source", "open('{course}/source/01_requires_grad/requires_grad.ipynb', 'w').write('{}')", "blocked", confined=True),
    Attack("other-kernel-files", "import glob, os\nfor d in glob.glob('/sandbox/*'):\n    if d != os.getcwd():\n        print(os.listdir(d))", "blocked", confined=True),
    Attack("network", "import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=3).sendall(b'leak')", "blocked", confined=True),
    Attack("grader-environment", PIDS + "import json\nseen = {'env': dict(os.environ)}\nfor pid in os.listdir('/proc'):\n    for part in ('environ', 'cmdline'):\n        try:\n            seen[f'{pid}/{part}'] = open(f'/proc/{pid}/{part}', 'rb').read().decode(errors='replace')\n        except OSError as err:\n            seen[f'{pid}/{part}'] = repr(err)\nprint(json.dumps(seen))", "env", confined=True),
    # Links in the submission folder to what it must not see, opened by their relative name.
    Attack("link-to-source", "for name in ('solution.ipynb', 'source/01_requires_grad/requires_grad.ipynb'):\n    try:\n        print(open(name).read())\n    except OSError as err:\n        print(name, err)", "linked", links=(("solution.ipynb", "{course}/source/01_requires_grad/requires_grad.ipynb"), ("source", "{course}/source")), shows="No such file"),
    Attack("link-to-gradebook", "try:\n    print(open('gradebook.db', 'rb').read(100))\nexcept OSError as err:\n    print(err)", "linked", links=(("gradebook.db", "{course}/gradebook.db"),), shows="No such file"),
]  # fmt: skip
# What the outputs would show had a read succeeded.
SECRETS = [
    "BEGIN HIDDEN TESTS",
    "SQLite format",
    "BEGIN SOLUTION",
    "nbgrader_config",
    ".kernel.json",
]


@pytest.fixture(scope="module", params=MODES)
def batch(request):
    yield from graded_batch(request.param)


@pytest.fixture(scope="module")
def cluster_batch():
    yield from graded_batch("cluster")


def graded_batch(mode):
    """Grade every attack and the honest submissions in one batch, in one mode; what came out."""
    other_user = by_another_user(mode)
    # Outside /tmp, which the sandbox replaces anyway: where an instructor keeps a course.
    home = Path(tempfile.mkdtemp(prefix=f".attack-course-{mode}-", dir=ROOT))
    listener = Listener()
    try:
        course = make_course(home / "course", [CH1])
        with open(course / "nbgrader_config.py", "a", encoding="utf-8") as f:
            f.write(LIMITS)
        generate_release(course, CH1)
        ref = reference_answers(CH1)
        for student in HONEST:
            submit(course, CH1, student, ref)
        for attack in runnable(mode):
            code = attack.code.replace("{course}", str(course)).replace(
                "{port}", str(listener.port)
            )
            code += "" if "def make_param" in code else STUB
            submit(course, CH1, attack.name, ref | {"make_param": code})
            for name, target in attack.links:
                folder = course / "submitted" / attack.name / CH1
                os.symlink(target.replace("{course}", str(course)), folder / name)
        guarded = {p: digest(p) for p in course.glob("source/*/*")}
        if mode == "cluster":
            run = grade_on_cluster(course, home)
        else:
            run = grade(course, as_user(USER, home) if other_user else [])
        listener.close()
        if run.returncode and "the sandbox cannot start" in run.stderr:
            unavailable(f"{mode}: {run.stderr.strip().splitlines()[-1]}")
        yield mode, course, run, ledger.latest(course, CH1), guarded, listener
    finally:
        listener.close()
        shutil.rmtree(home)


def unavailable(reason):
    """Skip a batch this machine cannot grade; under CI, where none may be skipped, fail."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must grade the attacks in both sandbox modes: {reason}")
    pytest.skip(reason)


def by_another_user(mode):
    """Whether this mode's batch grades as USER (as root, rootless), or as the test itself."""
    if os.geteuid() != 0:  # a developer: rootless is who they are, root is out of reach
        if mode == "root":
            unavailable("the root sandbox mode needs the tests to run as root")
        return False
    if mode in ("root", "cluster"):  # the cluster's workers run as the tests do
        return False
    # The user must reach its course (made under ROOT) and run the environment's Python.
    for folder in {*ROOT.parents, ROOT, *Path(sys.executable).parents}:
        if not os.stat(folder).st_mode & 0o001:
            unavailable(f"{USER} cannot traverse {folder} (o+x): no rootless batch there")
    return True


def grade(course, prefix, *options):
    """`python -m autograder grade` of the batch, its environment holding the canaries."""
    command = [*prefix, sys.executable, "-m", "autograder", "grade", CH1, *options]
    env = dict(venv_env(), **CANARIES)
    if prefix:  # the canaries must reach the grader for the attack on them to mean anything
        shown = subprocess.run(
            [*prefix, "env"], env=env, capture_output=True, text=True, timeout=60
        )
        assert all(f"{k}={v}" in shown.stdout for k, v in CANARIES.items()), shown
    return subprocess.run(command, cwd=course, env=env, capture_output=True, text=True, timeout=900)


def grade_on_cluster(course, home):
    """The batch through `grade --cluster`; the workers' environment holds the canaries too."""
    env = dict(venv_env(), **CANARIES)
    with Processes(home / "cluster", workers=2, env=env) as cluster:
        run = grade(course, [], "--cluster", cluster.address)
    assert cluster.leftovers() == [], "a process of the cluster outlived it"
    return run


def sandbox_mode(mode):
    """The sandbox a batch grades in: the cluster's workers run as the tests do."""
    if mode == "cluster":
        return "root" if os.geteuid() == 0 else "rootless"
    return mode


def runnable(mode):
    """The attacks of a batch: all of them, or on the cluster ON_CLUSTER. A batch only runs
    sandboxed (required), or is skipped (fails under CI)."""
    return [a for a in ATTACKS if mode != "cluster" or a.name in ON_CLUSTER]


def digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class Listener:
    """A TCP server on the grader's machine: a submission must not reach it."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.sock.settimeout(0.2)
        self.reached, self.stop = [], threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.reached.append(conn.recv(100))
            conn.close()

    def close(self):
        self.stop.set()
        self.thread.join()
        self.sock.close()


def outputs(course, student):
    """Everything a submission's cells showed. Stream texts are joined as printed: the kernel
    may flush one print in pieces ("PIDS", " [1, 7]\\n")."""
    path = course / "autograded" / student / CH1 / "requires_grad.ipynb"
    nb = nbformat.read(path, as_version=4)
    texts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.output_type == "stream":
                texts.append(out.get("text", ""))
            else:
                data = {k: v for k, v in out.get("data", {}).items() if not k.startswith("image/")}
                shown = [out.get("ename", ""), out.get("evalue", ""), str(data)]
                texts.append("\n" + "\n".join(shown) + "\n")
    return "".join(texts)


def exercise_scores(course, student):
    return {ex: s for ex, (s, _) in by_exercise(scores(course, CH1)[student]).items()}


def seen_pids(text):
    """The pids an attack printed (PIDS) that it saw in /proc; None if it printed none."""
    found = re.search(r"PIDS \[([0-9, ]*)\]", text)
    return None if found is None else [int(p) for p in found[1].split(",") if p.strip()]


def everyone(mode):
    return sorted([*HONEST, *(a.name for a in runnable(mode))])


def test_catalogue_is_large_enough():
    assert len(ATTACKS) >= 30 and len({a.name for a in ATTACKS}) == len(ATTACKS)
    assert ON_CLUSTER <= {a.name for a in ATTACKS}, ON_CLUSTER - {a.name for a in ATTACKS}


def test_sandbox_is_there_under_ci():
    if os.environ.get("CI"):
        assert SANDBOX is None, f"CI must grade in the sandbox: {SANDBOX}"


@pytest.mark.slow
@pytest.mark.xdist_group("attacks")
def test_the_batch_goes_on_and_honest_work_is_graded_normally(batch):
    check_the_batch(batch)


@pytest.mark.slow
@pytest.mark.xdist_group("attacks")
def test_the_cluster_batch_goes_on_and_honest_work_is_graded_normally(cluster_batch):
    check_the_batch(cluster_batch)


def check_the_batch(batch):
    mode, course, run, records, guarded, listener = batch
    assert run.returncode == 0, run.stdout + run.stderr
    assert sorted(records) == everyone(mode)
    for student in HONEST:
        assert records[student]["flags"] == [] and records[student]["problems"] == []
        assert records[student]["status"] == "graded"
        assert exercise_scores(course, student) == FULL, student
    # The sandbox was required: the batch says in which mode it graded.
    last = run.stdout.strip().splitlines()[-1]
    assert f"Sandbox: on ({sandbox_mode(mode)} bubblewrap;" in last, run.stdout
    if mode == "cluster":
        assert last.endswith("on 2 Dask workers"), run.stdout


@pytest.mark.slow
@pytest.mark.xdist_group("attacks")
def test_flagged_work_is_in_front_of_the_instructor(batch):
    """The summary, the report, the CSV and formgrader's gradebook all name the flagged."""
    from nbgrader.api import Gradebook

    _, course, run, records, _, _ = batch
    flagged = sorted(s for s, r in records.items() if r["flags"])
    assert "torch-allclose" in flagged and "reference" not in flagged
    assert f"{len(flagged)} FLAGGED for manual grading" in run.stdout
    html_path, csv_path = autograder("report", CH1, cwd=course).stdout.split()
    assert "Flagged for manual grading" in Path(html_path).read_text(encoding="utf-8")
    with open(csv_path, encoding="utf-8") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert rows["torch-allclose"]["flags"] and not rows["reference"]["flags"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in ("torch-allclose", "reference"):
            (notebook,) = gb.find_submission(CH1, student).notebooks
            assert notebook.needs_manual_grade == (student == "torch-allclose")
            comments = " ".join(c.auto_comment or "" for c in notebook.comments)
            assert ("Flagged by the autograder" in comments) == (student == "torch-allclose")


@pytest.mark.slow
@pytest.mark.xdist_group("attacks")
@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
def test_attack(batch, attack):
    check_attack(batch, attack)


@pytest.mark.slow
@pytest.mark.xdist_group("attacks")
@pytest.mark.parametrize("attack", runnable("cluster"), ids=lambda a: a.name)
def test_attack_on_the_cluster(cluster_batch, attack):
    check_attack(cluster_batch, attack)


def check_attack(batch, attack):
    mode, course, run, records, guarded, listener = batch
    assert f"Sandbox: on ({sandbox_mode(mode)} bubblewrap;" in run.stdout, run.stdout + run.stderr
    record = records[attack.name]
    assert record["status"] == "graded", f"{attack.name} failed whole: {record['problems']}"
    flags, problems = " ".join(record["flags"]), " ".join(record["problems"])
    scores = exercise_scores(course, attack.name)
    text = outputs(course, attack.name)
    if attack.scan:
        assert attack.scan in flags, record
    if attack.shows:
        assert attack.shows in text, (
            f"{attack.name}: problems {record['problems']}, {record['seconds']} s, "
            f"kernel CPU {record['kernel_cpu']} s; the cells showed, at the end: {text[-1500:]}"
        )
    if attack.expect == "guard":
        assert "tampering detected" in flags, record
        assert scores == {"make_param": 0, "blitz_grad": 0, "graph_leaves": 0}
    elif attack.expect == "flag":
        assert flags, record
    elif attack.expect == "died":  # in the test call: the test cell is stopped, never passed
        assert "kernel" in problems and scores["make_param"] == 0, record
        assert "(in cell test_make_param" in problems, record
        assert attack.problem in problems, record
    elif attack.expect == "timeout":
        assert "timeout" in problems and scores["make_param"] == 0, record
    elif attack.expect == "output":
        assert "output over 4 MB" in problems and scores["make_param"] == 0, record
    elif attack.expect in ("blocked", "linked", "env"):
        assert not any(secret in text for secret in SECRETS), text[:2000]
        assert all(digest(path) == before for path, before in guarded.items())
        assert (course / "gradebook.db").read_bytes()[:15] == b"SQLite format 3"
        assert listener.reached == []
    if attack.expect == "linked":  # flagged, and never copied into the kernel's folder
        assert "is a link to" in flags, record
        assert len(attack.links) == flags.count("is a link to"), record
    if attack.expect == "env":  # it read its own environment, and nothing of the grader's
        assert "PATH" in text and "JPY_PARENT_PID" in text, text[:2000]
        leaked = [name for name, value in CANARIES.items() if value in text]
        assert leaked == [], (leaked, text[:4000])
    if attack.expect in ("survived", "env"):  # pid 1 of its namespace: it sees only its own
        pids = seen_pids(text)
        assert pids and 1 in pids and max(pids) <= MAX_PID, (pids, text[:2000])
    if attack.expect == "survived" or attack.confined:  # the batch went on, all of it
        assert sorted(records) == everyone(mode)
        failed = {s: r["problems"] for s, r in records.items() if r["status"] != "graded"}
        assert not failed, f"not graded, with their problems: {failed}"
        for student in HONEST:
            assert exercise_scores(course, student) == FULL, (student, records[student])
    # The rule, made strict: make_param has no working answer, so it never scores.
    assert scores["make_param"] == 0, (scores, record)


def test_guard_takes_torch_rewrapping_its_own_function_for_the_same_function():
    """torch.func.grad imports torch._dynamo, which wraps torch.manual_seed: not tampering."""
    import torch

    from autograder import guard

    seed, wrap = torch.random.manual_seed, torch._compile._disable_dynamo
    assert guard._same(wrap(seed), seed)
    fake = wrap(lambda *args: None)
    fake.__wrapped__ = seed  # what the wrapper claims does not count, what it calls does
    assert not guard._same(fake, seed)
    assert not guard._same(lambda *args: None, seed)


def test_guard_sees_saved_tensor_hooks_left_active():
    import torch

    from autograder import guard

    key = guard.AUTOGRAD_STATE[0]
    before = guard._autograd_state()
    with torch.autograd.graph.saved_tensors_hooks(print, print):
        inside = guard._autograd_state()
    assert before[key] is None and inside[key] == (print, print)
    assert not guard._same(inside[key], before[key])
    assert guard._autograd_state() == before
