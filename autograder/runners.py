"""Where prepared submissions run: on this machine, or on the workers of a Dask cluster.

A runner takes `Prepared` submissions and gives back concurrent.futures Futures of their
`RunResult`s; grade.py saves each one on the coordinator, the only gradebook writer.

- `LocalRunner`: threads over this machine's zygote, one notebook per core.
- `DaskRunner`: each Dask worker has a zygote of its own (started once per worker by
  `ZygotePlugin`, in a process of its own: nothing forks Dask's threaded worker). A
  submission travels with its files; its result comes back as plain data. Dask runs the
  task of a lost worker again elsewhere, and its result is saved once, here.
"""

import concurrent.futures
import dataclasses
import hashlib
import os
import socket
import uuid
from pathlib import Path

from autograder import sandbox
from autograder.config import UsageError
from autograder.execution import first_line, run


class LocalRunner:
    def __init__(self, zygote, workers, logs):
        self.zygote, self.capacity, self.logs = zygote, workers, logs
        self.pool = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="notebook")

    def submit(self, prepared):
        log = self.logs / prepared.assignment / f"{prepared.student}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        return self.pool.submit(run, prepared, self.zygote, prepared.folder, str(log))

    def describe(self):
        return sandbox.describe(self.zygote.limits)

    def not_preloaded(self):
        return (self.zygote.greeting or {}).get("failed", [])

    def close(self, abort=False):
        self.zygote.close(kill=abort)  # abort: ends every kernel, the threads return at once
        self.pool.shutdown(wait=True, cancel_futures=abort)


class DaskRunner:
    """Submissions graded by the workers of the Dask scheduler at `address`."""

    def __init__(self, address, course, settings, modules, timeout=10):
        from distributed import Client

        from autograder import cluster

        try:
            self.client, self.futures = Client(address, timeout=timeout), {}
        except OSError as err:  # refused, unreachable, or timed out
            raise UsageError(
                f"no Dask scheduler answers at {address} ({first_line(err)}): start one "
                "(`dask scheduler`, see the README) or correct --cluster / c.Autograder.cluster"
            ) from None
        # One plugin per course: courses share a cluster, and a coordinator that was killed
        # has its workers' zygotes replaced when it runs again.
        where = f"{socket.gethostname()}:{os.path.abspath(course)}".encode()
        self.plugin = f"autograder-zygote-{hashlib.sha256(where).hexdigest()[:12]}"
        try:  # a worker that cannot start its sandbox raises here, saying why
            self.client.register_plugin(
                cluster.ZygotePlugin(settings.values(), modules), name=self.plugin
            )
            self.limits = self.client.run(cluster.limits, self.plugin)
        except BaseException:  # its reason (a worker without a sandbox) is what to show
            self.client.close()
            raise
        self.run_on_worker = cluster.run_on_worker
        self.capacity = 2 * sum(self.client.nthreads().values())  # one waiting per thread

    def submit(self, prepared):
        travelling = dataclasses.replace(prepared, files=read_folder(prepared.folder))
        key = f"grade-{prepared.assignment}-{prepared.student}-{uuid.uuid4().hex[:8]}"
        remote = self.client.submit(
            self.run_on_worker, travelling, self.plugin, key=key, pure=False
        )
        local = concurrent.futures.Future()
        self.futures[key] = remote  # a Dask future nobody holds is cancelled
        remote.add_done_callback(lambda done: self._settle(done, local))
        return local

    def _settle(self, done, local):
        self.futures.pop(done.key, None)
        try:
            local.set_result(done.result())
        except BaseException as err:
            local.set_exception(err)

    def describe(self):
        kinds = sorted({sandbox.describe(limits) for limits in self.limits.values()})
        return f"{' | '.join(kinds)} on {len(self.limits)} Dask workers"

    def not_preloaded(self):
        return []

    def close(self, abort=False):
        if abort and self.futures:
            self.client.cancel(list(self.futures.values()))
        try:  # each worker's zygote stops with the plugin
            self.client.unregister_worker_plugin(self.plugin)
        finally:
            self.client.close()


def read_folder(folder):
    """{path relative to folder: bytes} of its regular files (links were flagged and left)."""
    root = Path(folder)
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }
