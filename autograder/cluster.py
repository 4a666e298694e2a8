"""What runs in a Dask worker: its own zygote (a worker plugin) and the task that grades.

The zygote is a process of its own, started once per worker from the worker's event loop
thread: nothing forks Dask's threaded worker process. A submission arrives with its files,
runs in a scratch folder of the worker's local directory, and leaves nothing there.
"""

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from distributed import WorkerPlugin, get_worker

from autograder.execution import RunFailed, run


class ZygotePlugin(WorkerPlugin):
    """A Dask worker plugin: the worker's own pre-warmed zygote, sandboxed as configured."""

    def __init__(self, settings, modules):
        self.settings, self.modules, self.zygote = settings, list(modules), None

    async def setup(self, worker):
        from autograder import zygote
        from autograder.config import Autograder, venv_path

        # What `python -m autograder` does: kernel specs run `python` from PATH, this one.
        os.environ["PATH"] = venv_path()
        os.environ["NBGRADER_EXECUTION"] = "autograde"  # what stock sets while kernels run
        settings = Autograder(**self.settings)
        self.zygote = zygote.start(worker.local_directory, settings, self.modules, settings.preload)
        await asyncio.to_thread(self.zygote.ready, 300)  # the loop keeps its heartbeats

    def teardown(self, worker):
        if self.zygote is not None:
            self.zygote.close(kill=True)


def limits(plugin, dask_worker):
    return dask_worker.plugins[plugin].zygote.limits


def run_on_worker(prepared, plugin):
    """The task a Dask worker runs: the submission in a scratch folder of its own."""
    worker = get_worker()
    zygote = worker.plugins[plugin].zygote
    scratch = tempfile.mkdtemp(prefix="submission-", dir=worker.local_directory)
    try:
        folder, log = os.path.join(scratch, "work"), os.path.join(scratch, "kernel.log")
        os.mkdir(folder)
        write_folder(folder, prepared.files)
        prepared.files = None
        try:
            result = run(prepared, zygote, folder, log)
        except RunFailed as err:
            err.result.kernel_log = _read(log)
            raise
        result.kernel_log = _read(log)
        return result
    finally:
        shutil.rmtree(scratch)


def _read(log):
    return Path(log).read_text(encoding="utf-8", errors="replace") if os.path.exists(log) else ""


def write_folder(folder, files):
    for name, data in files.items():
        path = Path(folder, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


class Processes:
    """A real Dask scheduler and worker processes on 127.0.0.1, each worker with a local
    directory of its own, as on separate machines: for the tests and `make bench`.

    Everything it started stops when the `with` block ends; `leftovers()` names what did not.
    """

    def __init__(self, folder, workers=2, threads=1, env=None, timeout=120):
        self.folder, self.count, self.threads = Path(folder), workers, threads
        self.env, self.timeout = env or os.environ.copy(), timeout
        self.scheduler, self.workers, self.seen = None, [], set()

    def __enter__(self):
        dask = str(Path(sys.executable).parent / "dask")
        file = self.folder / "scheduler.json"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.scheduler = self._start(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"]
            + ["--scheduler-file", str(file)],
            self.folder,
        )
        self._wait(file.exists, "the Dask scheduler to write its address")
        self.address = json.loads(file.read_text())["address"]
        for i in range(self.count):
            self.add_worker(f"worker-{i}")
        return self

    def add_worker(self, name):
        home = self.folder / name
        home.mkdir()
        dask = str(Path(sys.executable).parent / "dask")
        command = [dask, "worker", self.address, "--name", name, "--no-nanny", "--no-dashboard"]
        command += ["--nthreads", str(self.threads), "--local-directory", str(home)]
        self.workers.append(self._start(command, home))
        wanted = len(self.workers)
        self._wait(lambda: self._worker_count() >= wanted, f"{wanted} Dask workers")

    def _start(self, command, cwd):
        log = open(cwd / "dask.log", "ab")  # noqa: SIM115  (the process writes it)
        try:
            return subprocess.Popen(command, cwd=cwd, env=self.env, stdout=log, stderr=log)
        finally:
            log.close()

    def _worker_count(self):
        from distributed import Client

        with Client(self.address, timeout=self.timeout) as client:
            return len(client.scheduler_info(n_workers=-1)["workers"])

    def _wait(self, ready, what):
        deadline = time.monotonic() + self.timeout
        while not ready():
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {self.timeout} s for {what}; see {self.folder}")
            if self.scheduler.poll() is not None:
                raise RuntimeError(f"the Dask scheduler exited; see {self.folder}/dask.log")
            time.sleep(0.2)

    def snapshot(self):
        """Remember every process started so far, down to the kernels, to check on later."""
        import psutil

        for proc in [self.scheduler, *self.workers]:
            try:
                self.seen |= {p.pid for p in psutil.Process(proc.pid).children(recursive=True)}
            except psutil.NoSuchProcess:
                continue
            self.seen.add(proc.pid)

    def kill_worker(self, index):
        """A machine lost: its worker process dies at once, and its zygote and kernels."""
        self.snapshot()
        self.workers[index].kill()
        self.workers[index].wait()

    def leftovers(self):
        import psutil

        alive = []
        for pid in sorted(self.seen):
            try:
                if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                    alive.append(pid)
            except psutil.NoSuchProcess:
                continue
        return alive

    def __exit__(self, *exc):
        self.snapshot()
        for proc in [*self.workers, self.scheduler]:
            proc.terminate()
        for proc in [*self.workers, self.scheduler]:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        deadline = time.monotonic() + 10  # the zygotes and kernels die with their workers
        while self.leftovers() and time.monotonic() < deadline:
            time.sleep(0.1)
