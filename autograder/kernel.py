"""Kernels forked from a zygote, behind nbgrader's own Execute preprocessor.

`ForkExecute` is nbgrader's `Execute` with one change: its kernel manager asks a `Zygote`
(see zygote.py) to fork the kernel instead of starting `python -m ipykernel_launcher`.
Everything nbclient does with the kernel (connection file, messages, per-cell timeouts and
interrupts, shutdown) is unchanged. A kernel spec that is not this Python's ipykernel is
started the stock way, so any nbgrader course still grades, only without the head start.
"""

import asyncio
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from nbgrader.preprocessors import Execute
from traitlets import Any, Type

DYING, ALIVE = 60, 5  # seconds KernelJob.exit waits for a killed kernel's end, for another's
POLL = 0.005  # seconds between looks at a kernel that is being stopped (jupyter_client: 0.1)
QUIET = 0.02  # seconds of IOPub silence that end a kernel's start-up (jupyter_client: 0.2)


class Forked:
    """The Popen-like handle that LocalProvisioner expects, for a kernel of the zygote."""

    stdin = stdout = stderr = None

    def __init__(self, zygote, pid):
        self.zygote, self.pid = zygote, pid

    def poll(self):
        end = self.zygote.exit_of(self.pid)
        return None if end is None else end["status"]

    def wait(self, timeout=None):
        end = self.zygote.wait(self.pid, timeout)
        if end is None:
            raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
        return end["status"]

    def send_signal(self, sig):
        if self.poll() is None:
            self.zygote.signal(self.pid, sig)

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def terminate(self):
        self.send_signal(signal.SIGTERM)


def ipykernel_argv(cmd, env):
    """The arguments after `-m ipykernel_launcher` when `cmd` runs this very Python."""
    if len(cmd) < 3 or cmd[1:3] != ["-m", "ipykernel_launcher"]:
        return None
    exe = shutil.which(cmd[0], path=env.get("PATH"))
    return cmd[3:] if exe and os.path.abspath(exe) == os.path.abspath(sys.executable) else None


@dataclass
class KernelJob:
    """One notebook's kernel: what the grader asks of it, and what became of it."""

    zygote: object  # the Zygote that forks it; None: started the stock way
    log: str  # where its stdout and stderr go (unsandboxed)
    deadline: float | None = None  # time.monotonic() at which the zygote kills it
    cell_timeout: int | None = None  # None: c.Execute.timeout
    output_bytes: int | None = None  # past this much output the grader kills it
    guard: dict | None = None  # what its guard watches (Autograder.guard_policy())
    pid: int | None = None
    forked: bool = False
    killed: bool = False  # by the client: it did not die by itself
    stopped: str = ""  # why the grader killed it (too much output, an unreadable message)
    output: int = 0  # bytes of output so far
    end: dict | None = None  # how it ended, once exit() learned it

    def exit(self):
        """How the forked kernel ended, as the zygote saw it (None: not forked, or alive).

        One the grader killed is dying: a zygote on a busy machine (or importing its later
        modules) may report it late, so it is waited for longer than one that may be alive.
        """
        if self.forked and self.end is None:
            self.zygote.wait(self.pid, DYING if self.killed or self.stopped else ALIVE)
            self.end = self.zygote.forget(self.pid)
        return self.end

    def stop(self, reason):
        """Kill the kernel for `reason`: the first reason given is the one kept."""
        if not self.stopped:
            self.stopped = reason
            if self.forked:
                self.zygote.signal(self.pid, signal.SIGKILL)


class UnreadableMessage(Exception):
    """The kernel sent a message its session cannot read: a bad signature, torn or garbled parts.

    A kernel that runs out of memory in the middle of sending can tear a message, and student
    code can sign with another key. Either is the kernel's doing: the grader stops it, and its
    notebook is scored cell by cell (stock nbgrader fails the whole submission).
    """


class CheckedChannel(AsyncZMQSocketChannel):
    """A client channel that raises UnreadableMessage where jupyter_client's Session raises."""

    async def _recv(self, **kwargs):
        try:
            return await super()._recv(**kwargs)
        except (ValueError, TypeError, KeyError) as err:  # what Session.deserialize raises
            why = str(err).split(":")[0] or type(err).__name__
            raise UnreadableMessage(f"an unreadable message from the kernel ({why})") from err


class ForkProvisioner(LocalProvisioner):
    """LocalProvisioner whose kernel process is forked by the zygote of the job."""

    async def launch_kernel(self, cmd, **kwargs):
        job = self.parent.job or KernelJob(None, os.devnull)
        argv = ipykernel_argv(cmd, kwargs.get("env", os.environ))
        if job.zygote is None or argv is None:
            job.forked = False  # started the stock way: slower, same kernel
            return await super().launch_kernel(cmd, **kwargs)
        cwd = os.path.abspath(kwargs.get("cwd") or os.getcwd())
        pid = job.zygote.spawn(argv, cwd, kwargs["env"], job.log, job.deadline, job.guard)
        job.forked, job.pid = True, pid
        self.process = Forked(job.zygote, pid)
        # No pgid: LocalProvisioner then signals through process.send_signal, the zygote.
        self.pid, self.pgid = pid, None
        self.cwd = cwd
        return self.connection_info

    async def kill(self, restart=False):
        if self.parent.job is not None:
            self.parent.job.killed = True
        await super().kill(restart)

    async def wait(self):
        while self.process is not None and await self.poll() is None:
            await asyncio.sleep(POLL)
        return await super().wait()


class QuickClient(AsyncKernelClient):
    """jupyter_client's wait_for_ready, minus 0.2 s of waiting for IOPub to fall silent.

    Those start-up messages answer kernel_info requests; nbclient ignores any message
    whose parent is not the cell it runs, so a shorter wait changes no output. A message
    that cannot be read raises UnreadableMessage.
    """

    shell_channel_class = Type(CheckedChannel)
    iopub_channel_class = Type(CheckedChannel)

    async def wait_for_ready(self, timeout=None):
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while not await self._kernel_info_answered():
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=QUIET)
            except Empty:
                return

    async def _kernel_info_answered(self):
        self.kernel_info()
        try:
            reply = await self.shell_channel.get_msg(timeout=1)
            if reply["msg_type"] != "kernel_info_reply":
                return False
            await self.iopub_channel.get_msg(timeout=0.2)  # IOPub is connected too
        except Empty:
            return False
        self._handle_kernel_info_reply(reply)
        return True


class ForkKernelManager(AsyncKernelManager):
    job = Any(None)
    client_factory = Type(QuickClient, klass=AsyncKernelClient)

    async def _async_pre_start_kernel(self, **kw):
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = ForkProvisioner(
                kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
            )
        return await super()._async_pre_start_kernel(**kw)

    async def _async_wait(self, pollinterval=POLL):
        await super()._async_wait(pollinterval=POLL)


class Forking:
    """Mixin for nbgrader's Execute preprocessor (or a subclass): kernels come from a zygote.

    Set `job` (a KernelJob) before each notebook; the provisioner fills in its pid.
    `running` is the index of the cell being run, then of the last. The kernel is killed,
    not asked to shut down: by then all its output is in.
    """

    job = None
    running = None

    def __init__(self, **kw):
        kw.setdefault("kernel_manager_class", ForkKernelManager)
        super().__init__(**kw)
        self.shutdown_kernel = "immediate"

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        km.job = self.job
        return km

    def preprocess_cell(self, cell, resources, index):
        self.running = index
        return super().preprocess_cell(cell, resources, index)

    def process_message(self, msg, cell, cell_index):
        """Stop a kernel that floods the grader: past job.output_bytes it is killed."""
        job = self.job
        if job is not None and job.output_bytes is not None and job.forked:
            job.output += len(json.dumps(msg["content"]))
            if job.output > job.output_bytes:
                job.stop(f"output over {job.output_bytes >> 20} MB")
                return None  # nothing more of it is kept, not even its idle status
        return super().process_message(msg, cell, cell_index)

    def _get_timeout(self, cell):
        # Not a trait: preprocess() reloads the traits from the config (c.Execute.timeout).
        timeout = None if self.job is None else self.job.cell_timeout
        return super()._get_timeout(cell) if timeout is None else timeout


@functools.cache
def forking(execute_class):
    return type(f"Forking{execute_class.__name__}", (Forking, execute_class), {})


ForkExecute = forking(Execute)
