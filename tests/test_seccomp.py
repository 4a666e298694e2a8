"""The seccomp filter (autograder/seccomp.py): each test runs a fresh Python that installs it."""

import json
import os
import platform
import signal
import subprocess
import sys

import pytest

from autograder import seccomp

if not (sys.platform == "linux" and seccomp.supported()):
    pytest.skip("seccomp filters need Linux on x86_64 or aarch64", allow_module_level=True)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Looked up here, not in seccomp.py, so a wrong number there cannot hide.
NUMBERS = {
    "x86_64": {"keyctl": 250, "bpf": 321, "clone": 56},
    "aarch64": {"keyctl": 219, "bpf": 280, "clone": 220},
}[platform.machine()]
IO_URING_SETUP, CLONE3, SIGCHLD = 425, 435, 17

PRELUDE = f"""
import ctypes, errno, json, os, resource, sys
from autograder import seccomp
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a killed child leaves no core file
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
NR = {NUMBERS!r}

def result(rc):
    return "ok" if rc >= 0 else errno.errorcode[ctypes.get_errno()]

def syscall(nr, *args):
    return result(libc.syscall(*(ctypes.c_long(a) for a in (nr, *args))))

def status(key):
    for line in open("/proc/thread-self/status"):
        if line.startswith(key + ":"):
            return line.split()[1]
"""

PROBES = {
    "ptrace": "result(libc.ptrace(0, 0, None, None))",  # PTRACE_TRACEME
    "mount": 'result(libc.mount(b"none", b"/nonexistent", b"tmpfs", 0, None))',
    "unshare": "result(libc.unshare(seccomp.CLONE_NEWUSER))",
    "keyctl": 'syscall(NR["keyctl"], 0, -3, 0)',  # the id of the session keyring
    "bpf": 'syscall(NR["bpf"], 0, 0, 0)',
    "io_uring_setup": f"syscall({IO_URING_SETUP}, 1, 0)",
    "clone3": f"syscall({CLONE3}, 0, 0)",
}
FILTERED = {name: "EPERM" for name in PROBES} | {"clone3": "ENOSYS"}


def run(code, timeout=60):
    return subprocess.run(
        [sys.executable, "-c", PRELUDE + code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def child(code, timeout=60):
    """What the child printed last, as JSON; it must exit 0."""
    proc = run(code, timeout)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def probe(names):
    return "print(json.dumps({" + ", ".join(f"{n!r}: {PROBES[n]}" for n in names) + "}))\n"


def test_denied_calls_get_eperm_and_clone3_enosys():
    out = child("seccomp.install()\n" + probe(PROBES))
    assert out == FILTERED


def test_the_probes_answer_otherwise_without_the_filter():
    names = [name for name in PROBES if name != "ptrace"]  # TRACEME would make pytest our tracer
    out = child(probe(names))
    assert any(out[name] != FILTERED[name] for name in names), out


def test_the_process_is_marked_filtered():
    out = child('seccomp.install()\nprint(json.dumps([status("NoNewPrivs"), status("Seccomp")]))')
    assert out == ["1", "2"]  # 2: SECCOMP_MODE_FILTER


def test_clone_with_a_namespace_flag_gets_eperm():
    code = """
seccomp.install()
out = {}
for name in ("NS", "CGROUP", "UTS", "IPC", "USER", "PID", "NET", "TIME"):
    flags = getattr(seccomp, "CLONE_NEW" + name) | %d
    rc = libc.syscall(*(ctypes.c_long(a) for a in (NR["clone"], flags, 0, 0, 0, 0)))
    if rc == 0:
        os._exit(0)  # a child got through: it leaves at once, the parent reports it
    if rc > 0:
        os.waitpid(rc, 0)
    out[name] = result(rc)
print(json.dumps(out))
"""
    assert set(child(code % SIGCHLD).values()) == {"EPERM"}


@pytest.mark.skipif(platform.machine() != "x86_64", reason="x32 is an x86_64 ABI")
def test_x32_calls_get_eperm():
    out = child(f"seccomp.install()\nprint(json.dumps(syscall({0x40000000 | 39})))")  # getpid
    assert out == "EPERM"


@pytest.mark.skipif(platform.machine() != "x86_64", reason="int 0x80 is i386's convention")
def test_a_foreign_architecture_kills_the_process():
    code = """
import mmap
page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
page.write(bytes([0xB8, 20, 0, 0, 0, 0xCD, 0x80, 0xC3]))  # mov eax, 20 (getpid); int 0x80; ret
getpid = ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(page)))
%s
print(json.dumps(getpid() == os.getpid()))
"""
    before = run(code % "")
    if before.returncode != 0 or before.stdout.strip() != "true":
        pytest.skip(f"no i386 emulation here: {before.returncode} {before.stderr[-200:]}")
    after = run(code % "seccomp.install()")
    assert after.returncode == -signal.SIGSYS, after
    assert after.stdout == ""


def test_fork_works():
    code = """
seccomp.install()
pid = os.fork()
if pid == 0:
    os._exit(0)
print(json.dumps(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])))
"""
    assert child(code) == 0


def test_a_forked_child_inherits_the_filter():
    code = """
seccomp.install()
read, write = os.pipe()
pid = os.fork()
if pid == 0:
    found = {"unshare": result(libc.unshare(seccomp.CLONE_NEWUSER)), "seccomp": status("Seccomp")}
    os.write(write, json.dumps(found).encode())
    os._exit(0)
os.close(write)
print(os.read(read, 4096).decode())
os.waitpid(pid, 0)
"""
    proc = run(code)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[0]) == {"unshare": "EPERM", "seccomp": "2"}


def test_threads_work_and_are_filtered():
    code = """
import threading
seccomp.install()
out = []
thread = threading.Thread(target=lambda: out.append(result(libc.unshare(seccomp.CLONE_NEWUSER))))
thread.start()
thread.join()
print(json.dumps(out))
"""
    assert child(code) == ["EPERM"]


def test_a_thread_started_before_install_is_filtered_too():
    # Unfiltered, unshare(CLONE_NEWUSER) in a process with threads is EINVAL, not EPERM.
    code = """
import threading
go, out = threading.Event(), {}
def late():
    go.wait()
    out.update(unshare=result(libc.unshare(seccomp.CLONE_NEWUSER)), seccomp=status("Seccomp"))
thread = threading.Thread(target=late)
thread.start()
seccomp.install()
go.set()
thread.join()
print(json.dumps(out))
"""
    assert child(code) == {"unshare": "EPERM", "seccomp": "2"}


def test_subprocesses_work_and_inherit_the_filter():
    code = """
import subprocess
seccomp.install()
true = subprocess.run(["true"]).returncode
grep = subprocess.run(["grep", "Seccomp:", "/proc/self/status"], capture_output=True, text=True)
print(json.dumps([true, grep.stdout.split()]))
"""
    assert child(code) == [0, ["Seccomp:", "2"]]


def test_torch_still_works():
    code = """
seccomp.install()
import torch
x = torch.ones(3, requires_grad=True)
(x * x).sum().backward()
product = torch.ones(256, 256) @ torch.ones(256, 256)  # the intra-op thread pool starts
print(json.dumps([torch.ones(3).sum().item(), x.grad.tolist(), product.sum().item()]))
"""
    assert child(code, timeout=240) == [3.0, [2.0, 2.0, 2.0], 256.0**3]


@pytest.mark.parametrize("machine", ["x86_64", "aarch64"])
def test_every_jump_lands_inside_the_program(machine):
    code = seccomp.program(machine)
    assert len(code) < 256
    for i, (op, jt, jf, _) in enumerate(code):
        if op & 0x07 == 0x05:  # BPF_JMP
            assert i + 1 + max(jt, jf) < len(code)
        assert op & 0x07 != 0x06 or i >= len(code) - 4  # BPF_RET: the four exits alone
    assert code[-1] == (0x06, 0, 0, seccomp.SECCOMP_RET_KILL_PROCESS)


def test_an_unsupported_machine_is_refused(monkeypatch):
    monkeypatch.setattr(platform, "machine", lambda: "riscv64")
    assert not seccomp.supported()
    with pytest.raises(OSError, match="riscv64"):
        seccomp.install()
