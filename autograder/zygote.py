"""The pre-warmed process that forks one fresh kernel per submission, and its handle.

`python -m autograder.zygote` (started by `Zygote`, the grader's handle) imports ipykernel,
then on request the course's libraries (torch, numpy, matplotlib, the course package), once
and while single-threaded. It reads one JSON request per line on stdin, answers on stdout:

    {"preload": ["torch", ...], "later": [...]}  ->  {"ready": pid, "failed": [...], ...}
    {"id": 1, "argv": [...], "cwd": ..., "env": {...}, "log": ..., "deadline": ...}
        -> {"id": 1, "pid": 4242}                  once the kernel listens on its ports
        -> {"exited": 4242, "status": -9, "timed_out": true, "cpu": 1.2}   once it ended
    {"signal": 4242, "number": 2}                ->  (SIGINT to that kernel's processes)

Each child runs `kernel_main(request)`: the one entry point of a submission's own process,
where a sandbox (namespaces, rlimits, seccomp) belongs. Nothing of a child survives it: the
next request forks the untouched zygote again. No zmq context, Python thread or torch
operation may exist here, as a fork would copy them half-alive; the kernel makes its own.
The zygote kills a kernel at its deadline (time.monotonic()); it dies with its parent
(PR_SET_PDEATHSIG), and so do its kernels. All control goes through the two pipes, so the
zygote can itself run in a sandbox (bubblewrap, its own pid namespace); the kernels' zmq
ports on localhost are the one other tie (share the network namespace, or use ipc).
"""

import ast
import ctypes
import gc
import importlib
import itertools
import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import threading
import time

from autograder import guard, ledger, sandbox
from autograder.config import Autograder

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
# What a fresh ipykernel imports while it starts: loaded once here, not once per kernel.
KERNEL_MODULES = [
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "autograder.outstream",
    "ipykernel.debugger",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "sqlite3",
    "psutil",
    "pydoc",
    "tornado.platform.asyncio",
    "tornado.queues",
]
IDLE = 0.1  # seconds without a request after which the zygote imports what kernels import later
IMPORTS_SET = {}  # environment variables that the preloaded modules set
ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
# What the first plot of a kernel imports, when the course plots at all.
PLOT_MODULES = [
    "IPython.core.pylabtools",
    "matplotlib.backends.backend_agg",
    "PIL.PngImagePlugin",
    "PIL.BmpImagePlugin",
    "PIL.GifImagePlugin",
    "PIL.JpegImagePlugin",
    "PIL.PpmImagePlugin",
]


def die_with_parent(parent_pid):
    """Get SIGKILL when the parent goes; exit now if it is already gone."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:
        os._exit(1)


def preload(modules):
    """Import what every submission would import; return the names that failed.

    What the imports add to os.environ goes to every kernel too, as if it had imported them.
    """
    before = dict(os.environ)
    # ipykernel sets this before the first plot; set it first so matplotlib sees the same.
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    failed = []
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as err:  # a missing library only costs speed, never a grade
            failed.append(f"{name}: {type(err).__name__}: {err}")
    if "matplotlib" in sys.modules:
        for name in PLOT_MODULES:
            importlib.import_module(name)
    # Imported before the kernel's shell exists, the inline backend would never hook into it.
    sys.modules.pop("matplotlib_inline.backend_inline", None)
    from jupyter_client import localinterfaces

    localinterfaces._load_ips()  # every kernel asks; psutil takes 0.1 s to answer
    _record_environment(before)
    return failed


def import_later(name):
    """A module that kernels import on first use, imported between two requests: kernels
    forked from now on have it; those forked before import it themselves, as stock would."""
    before = dict(os.environ)
    try:
        importlib.import_module(name)
    except Exception as err:  # the kernels that need it import it themselves, or fail as stock
        print(f"not preloaded: {name}: {type(err).__name__}: {err}", file=sys.stderr)
    _record_environment(before)


def _record_environment(before):
    IMPORTS_SET.update(set(os.environ.items()) - set(before.items()))
    IMPORTS_SET.pop("MPLBACKEND", None)
    # Keep the collector off these objects: a child that scanned them would copy their pages.
    gc.freeze()


def kernel_main(request, ready, inherited=()):
    """Become the kernel of one submission; write to fd `ready` once it listens. Never returns.

    inherited: the zygote's own descriptors, which the kernel must not keep. In the
    sandbox (request["sandbox"]), the kernel gets its own folder, uid and limits first, and
    drops its network and privileges once its sockets are bound, before any cell runs.
    """
    status = 1
    try:
        os.setsid()
        die_with_parent(request["zygote"])
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for fd in inherited:
            os.close(fd)
        env = dict(sandbox.clean_env(request["env"]), JPY_PARENT_PID=str(request["zygote"]))
        env.update(ONE_THREAD)
        confined = request.get("sandbox")
        if confined:
            kernel_id = request["id"]
            files, connection = request["files"], request["connection"]
            home, uid = sandbox.prepare(kernel_id, files, connection, confined)
            home = sandbox.isolate(kernel_id, home, confined, ready)  # pid 1 of its namespaces
            request["cwd"], request["log"] = home, os.path.join(home, ".kernel.log")
            env.update(HOME=home, TMPDIR=home, IPYTHONDIR=os.path.join(home, ".ipython"))
        _redirect_stdio(request.get("log") or os.devnull)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(env)
        for name, value in IMPORTS_SET.items():
            os.environ.setdefault(name, value)
        _reseed()
        from ipykernel.kernelapp import IPKernelApp

        # What `python -m ipykernel_launcher ARGV` does, and what it shows in sys.argv.
        sys.argv = [sys.modules["ipykernel_launcher"].__file__, *request["argv"]]
        app = IPKernelApp.instance(outstream_class="autograder.outstream.PacedStream")
        if confined:
            sandbox.limit(confined)
        app.initialize(request["argv"])
        if confined:
            sandbox.confine(uid, confined)
        guard.install(app.kernel, **request["guard"])
        os.write(ready, b"!")
        os.close(ready)
        app.start()
        status = 0
    except SystemExit as exit_:
        status = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def _reseed():
    """A fresh process seeds these generators from the OS: forked ones would share a seed.

    Kernels run one per core: each gets one torch thread (ONE_THREAD does it for one that
    imports torch itself).
    """
    if "numpy.random" in sys.modules:
        sys.modules["numpy.random"].seed()
    if "torch" in sys.modules:
        sys.modules["torch"].default_generator.seed()
        sys.modules["torch"].set_num_threads(1)


def _redirect_stdio(log):
    null = os.open(os.devnull, os.O_RDONLY)
    out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    for fd, target in ((0, null), (1, out), (2, out)):
        os.dup2(target, fd)
    os.close(null)
    os.close(out)


class Server:
    """The zygote's loop: fork, answer once the kernel listens, kill at deadlines, reap."""

    def __init__(self, stdin, stdout):
        self.stdin, self.stdout = stdin, stdout
        self.sel = selectors.DefaultSelector()
        wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_w, False)
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        self.sel.register(stdin, selectors.EVENT_READ, self._requests)
        self.sel.register(wake_r, selectors.EVENT_READ, lambda: os.read(wake_r, 4096))
        self.deadlines, self.timed_out, self.pending = {}, set(), b""
        self.later = []  # modules to import when no request waits (import_later)
        self.starting = set()  # kernels forked that do not listen yet: their answer comes first
        self.kernels = {}  # pid: None, or in the sandbox (request id, limits)
        self.inner = {}  # in the sandbox: pid of the process forked first -> the kernel's pid
        self.reaped = {}  # inner pid -> CPU seconds, when the zygote reaped it first
        # A kernel killed with its parent is handed to the zygote, which reaps it for its CPU.
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1)

    def serve(self):
        while not self.stdin.closed:
            wait = min(self.deadlines.values(), default=None)
            timeout = None if wait is None else max(0.0, wait - time.monotonic())
            if self.later:  # the first kernel's request follows the greeting at once
                timeout = IDLE if timeout is None else min(timeout, IDLE)
            events = self.sel.select(timeout)
            for key, _ in events:
                key.data()
            if self.later and not events and not self.starting:
                import_later(self.later.pop(0))
            self._enforce_deadlines()
            self._reap()

    def _requests(self):
        chunk = os.read(self.stdin.fileno(), 65536)
        if not chunk:
            self.stdin.close()
            return
        *lines, self.pending = (self.pending + chunk).split(b"\n")
        for line in lines:
            request = json.loads(line)
            if "preload" in request:
                self._preload(request["preload"], request.get("later", []))
            elif "signal" in request:
                _signal_group(request["signal"], request["number"])
            else:
                self._spawn(request)

    def _preload(self, modules, later):
        failed = preload(modules)
        self.later = [name for name in later if name not in sys.modules]
        self._send({"ready": os.getpid(), "failed": failed, "threads": threading.active_count()})

    def _spawn(self, request):
        request["zygote"] = os.getpid()
        ready_r, ready_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            fds = [key.fd for key in self.sel.get_map().values() if key.fd > 2]
            kernel_main(request, ready_w, [*fds, self.sel.fileno(), self.wake_w, ready_r])
        os.close(ready_w)
        self.kernels[pid] = (request["id"], request["sandbox"]) if request.get("sandbox") else None
        if request.get("deadline") is not None:
            self.deadlines[pid] = request["deadline"]
        said = []
        self.starting.add(pid)
        self.sel.register(
            ready_r, selectors.EVENT_READ, lambda: self._ready(ready_r, request, pid, said)
        )

    def _ready(self, fd, request, pid, said):
        """The kernel listens (or died trying: the pipe closed): the client may connect.

        In the sandbox the process forked first writes the pid of the kernel it forked
        (pid 1 of its namespace) before the kernel's "!".
        """
        chunk = os.read(fd, 64)
        said.append(chunk)
        if chunk and b"!" not in chunk:
            return
        self.sel.unregister(fd)
        os.close(fd)
        self.starting.discard(pid)
        told = b"".join(said)
        if b"!" not in told and request.get("sandbox") and request.get("log"):
            sandbox.keep_log(request["id"], request["log"])  # it died before it listened
        inner = told.split(b"!")[0].split()
        if inner:
            self.inner[pid] = int(inner[0])
        self._send({"id": request["id"], "pid": pid})

    def _enforce_deadlines(self):
        for pid, deadline in list(self.deadlines.items()):
            if deadline <= time.monotonic():
                del self.deadlines[pid]
                self.timed_out.add(pid)
                _signal_group(pid, signal.SIGKILL)

    def _reap(self):
        while True:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid not in self.kernels:  # a kernel that died with its parent, or an orphan
                if pid in self.inner.values():
                    self.reaped[pid] = usage.ru_utime + usage.ru_stime
                continue
            usage = self._with_inner(pid, status, usage)
            self.deadlines.pop(pid, None)
            confined = self.kernels.pop(pid, None)
            if confined is not None:  # what it left: its folder, its cgroups
                kernel_id, limits = confined  # its processes ended with its pid namespace
                sandbox.remove_kernel_cgroups(kernel_id, limits)
                shutil.rmtree(os.path.join(sandbox.WORK, f"k{kernel_id}"), ignore_errors=True)
            timed_out = pid in self.timed_out
            self.timed_out.discard(pid)
            exitcode = os.waitstatus_to_exitcode(status)
            cpu = round(usage, 3)
            self._send({"exited": pid, "status": exitcode, "timed_out": timed_out, "cpu": cpu})

    def _with_inner(self, pid, status, usage):
        """CPU seconds of the kernel `pid`: its own, and in the sandbox its inner process's,
        which it reaped, or (killed together) the zygote reaps now."""
        cpu = usage.ru_utime + usage.ru_stime
        inner = self.inner.pop(pid, None)
        if inner is None or not os.WIFSIGNALED(status):
            return cpu + self.reaped.pop(inner, 0.0)
        for _ in range(100):  # killed with its parent: it is dying, 1 s at most
            if inner in self.reaped:
                break
            try:
                done, _, inner_usage = os.wait4(inner, os.WNOHANG)
            except ChildProcessError:
                return cpu  # reaped by its parent: counted in `usage` already
            if done:
                return cpu + inner_usage.ru_utime + inner_usage.ru_stime
            time.sleep(0.01)
        return cpu + self.reaped.pop(inner, 0.0)

    def _send(self, message):
        self.stdout.write(json.dumps(message) + "\n")
        self.stdout.flush()


class ZygoteError(RuntimeError):
    pass


class Zygote:
    """The parent's handle on a zygote process: fork kernels, learn how they ended.

    The zygote starts importing the kernel's modules at once; load() adds the course's;
    spawn() waits until it is ready. Call it from the main thread: the zygote dies with
    the thread that started it.
    """

    def __init__(self, log, limits=None, packages=()):
        """limits: run in the sandbox with these limits (sandbox.py); None: unconfined."""
        # Nothing of the grader's environment (tokens, database URLs) reaches the kernels:
        # not even /proc/self/environ, which shows what the zygote was started with.
        env = dict(sandbox.clean_env(os.environ), AUTOGRADER_PARENT_PID=str(os.getpid()))
        env.update(ONE_THREAD)
        self.log, self.limits, self.cgroups = log, limits, {}
        command = [sys.executable, "-m", "autograder.zygote"]
        if limits is not None:
            env["AUTOGRADER_PARENT_PID"] = ""  # outside its pid namespace: bwrap watches
            self.cgroups = sandbox.make_cgroups(limits["cgroups"], f"autograder-{os.getpid()}")
            # Uids of its own: two zygotes on one machine (two Dask workers) never share one.
            uids = sandbox.uid_base(os.getpid())
            self.limits = limits = dict(limits, cgroups=sorted(self.cgroups), uid_base=uids)
            command = sandbox.wrap(command, limits, packages, self.cgroups)
        os.makedirs(os.path.dirname(log), exist_ok=True)
        with open(log, "ab") as err:
            self.proc = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                env=env,
                text=True,
            )
        self.greeting = None
        self._ids = itertools.count(1)
        self._replies, self._exits = {}, {}
        self._cond = threading.Condition()
        self._write = threading.Lock()
        threading.Thread(target=self._read, name="zygote-reader", daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            message = json.loads(line)
            with self._cond:
                if "ready" in message:
                    self.greeting = message
                elif "exited" in message:
                    self._exits[message["exited"]] = message
                else:
                    self._replies[message["id"]] = message["pid"]
                self._cond.notify_all()
        with self._cond:
            self._replies[None] = None  # the zygote is gone: wake every waiter
            self._cond.notify_all()

    def load(self, modules, later=()):
        """Have the zygote import these modules too before it forks the first kernel, and
        `later` once no request waits (what kernels import on first use: c.Autograder.preload)."""
        self._request({"preload": list(modules), "later": list(later)})

    def _request(self, request):
        with self._write:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()

    def ready(self, timeout=None):
        """The zygote's greeting ({"ready": pid, "failed": [...], ...}) once it has loaded."""
        with self._cond:
            self._cond.wait_for(lambda: self.greeting or None in self._replies, timeout)
            if self.greeting is None:
                raise ZygoteError(f"the kernel zygote did not start; see {self.log}")
            return self.greeting

    def spawn(self, argv, cwd, env, log, deadline=None, guard=None):
        """Fork the kernel `python -m ipykernel_launcher *argv` would be; return its pid.

        deadline: a time.monotonic() instant at which the zygote kills the kernel.
        guard: what its guard watches (Autograder.guard_policy()); None: the defaults.
        """
        self.ready()
        rid = next(self._ids)
        request = {"id": rid, "argv": argv, "cwd": cwd, "env": env, "log": log}
        request["deadline"] = deadline
        request["guard"] = guard or Autograder().guard_policy()
        if self.limits is not None:
            self._confine(request)
        self._request(request)
        with self._cond:
            self._cond.wait_for(lambda: rid in self._replies or None in self._replies)
            if rid not in self._replies:
                raise ZygoteError(f"the kernel zygote died; see {self.log}")
            return self._replies.pop(rid)

    def _confine(self, request):
        """The kernel's files, connection file and limits travel in the request."""
        argv = request["argv"]
        at = argv.index("-f") + 1
        with open(argv[at], encoding="utf-8") as f:
            request["connection"] = json.load(f)
        argv[at] = os.path.join(sandbox.WORK, ".kernel.json")  # its folder, bound on WORK
        request["files"] = sandbox.read_files(request["cwd"], self.limits["work_mb"] << 20)
        request["sandbox"] = self.limits
        request["log"] = None

    def signal(self, pid, number):
        """Have the zygote send signal `number` to the kernel `pid` and its processes."""
        self._request({"signal": pid, "number": int(number)})

    def exit_of(self, pid):
        """How the kernel `pid` ended ({"status": ..., "timed_out": ...}), or None if alive."""
        with self._cond:
            gone = self.limits is not None or not _exists(pid)  # pids of another namespace
            if pid not in self._exits and None in self._replies and gone:
                # The zygote died: its kernels die with it, and nobody reports them.
                self._exits[pid] = {"exited": pid, "status": -signal.SIGKILL, "timed_out": False}
            return self._exits.get(pid)

    def wait(self, pid, timeout=None):
        with self._cond:
            self._cond.wait_for(lambda: pid in self._exits or None in self._replies, timeout)
        return self.exit_of(pid)

    def forget(self, pid):
        with self._cond:
            return self._exits.pop(pid, None)

    def close(self, kill=False):
        """Stop the zygote; its kernels die with it (kill=True: at once)."""
        if kill:
            self.proc.kill()
        elif self.proc.poll() is None:
            self.proc.stdin.close()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        sandbox.remove_cgroups(self.cgroups)


def start(root, settings, modules, later=()):
    """The zygote of the course at `root`: sandboxed as `settings` say, importing `modules`,
    then `later` once idle."""
    limits = sandbox.choose(settings)
    zygote = Zygote(os.path.join(root, ledger.DIR, "zygote.log"), limits, modules)
    zygote.load(modules, later)
    return zygote


def imported_modules(notebooks):
    """Every module the code cells of these notebooks import (magics and shell lines skipped)."""
    names = set()
    for path in sorted(notebooks):
        with open(path, encoding="utf-8") as f:
            cells = json.load(f).get("cells", [])
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            source = cell.get("source", "")
            lines = source if isinstance(source, list) else source.splitlines(True)
            code = "".join("\n" if ln.lstrip()[:1] in ("%", "!") else ln for ln in lines)
            try:
                tree = ast.parse(code)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    names.add(node.module)
    return sorted(names)


def _exists(pid):
    """Whether `pid` still runs (a zombie no longer does)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _signal_group(pid, number):
    """Signal a kernel and whatever it started (its session's process group)."""
    try:
        os.killpg(pid, number)
    except ProcessLookupError:  # not yet its own group leader, or already gone
        try:
            os.kill(pid, number)
        except ProcessLookupError:
            return


def main():
    parent = int(os.environ.pop("AUTOGRADER_PARENT_PID", "") or 0) or os.getppid()
    die_with_parent(parent)
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    preload(KERNEL_MODULES)  # while the parent still works out what the course needs
    import ipykernel_launcher  # noqa: F401  (its path becomes each kernel's sys.argv[0])

    Server(sys.stdin, sys.stdout).serve()


if __name__ == "__main__":
    main()
