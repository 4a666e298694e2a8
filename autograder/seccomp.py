"""A seccomp-BPF filter a sandboxed kernel installs on itself just before student code runs.

The kernel already runs as an unprivileged uid with no capabilities (sandbox.py), so most of
what is denied here would fail anyway: the filter is a second wall, against kernel bugs
reached through rarely needed system calls. Denied with EPERM (see DENIED):

- ptrace, process_vm_readv/writev: reading or steering another process.
- mount, umount2, pivot_root and the new mount API (open_tree, move_mount, fsopen, fsconfig,
  fsmount, fspick, mount_setattr): changing what the file system looks like.
- unshare, setns, and clone with a namespace flag: new namespaces, user namespaces above all,
  hand an unprivileged process capabilities over much of the kernel.
- keyctl, add_key, request_key: kernel keyrings, which are not namespaced.
- bpf, io_uring_*, perf_event_open, userfaultfd: large attack surfaces, a frequent source of
  kernel exploits.
- kexec_*, *init_module, delete_module, reboot, swapon/off, quotactl, acct, and setting the
  clock: administering the machine.
- open_by_handle_at, name_to_handle_at: opening files by handle, around path checks.

clone3 gets ENOSYS: its flags live in memory the filter cannot read, and glibc then falls
back to clone, whose flags it can. Everything else is allowed. A system call made with a
foreign calling convention (i386 or x32 on x86_64, arm32 on aarch64) would be looked up in
another table; i386 and arm32 ones kill the process, x32 ones get EPERM.

`install()` applies the filter to every thread of the process (a kernel already runs zmq
and heartbeat threads) and to every process it starts, for good.
"""

import ctypes
import errno
import os
import platform
import struct
import sys

# name, x86_64 number, aarch64 number ("-" where an architecture lacks it), as in
# arch/x86/entry/syscalls/syscall_64.tbl and include/uapi/asm-generic/unistd.h
_TABLE = """
    ptrace 101 117          process_vm_readv 310 270    process_vm_writev 311 271
    mount 165 40            umount2 166 39              pivot_root 155 41
    move_mount 429 429      open_tree 428 428           fsopen 430 430
    fsconfig 431 431        fsmount 432 432             fspick 433 433
    mount_setattr 442 442   unshare 272 97              setns 308 268
    keyctl 250 219          add_key 248 217             request_key 249 218
    bpf 321 280             io_uring_setup 425 425      io_uring_enter 426 426
    io_uring_register 427 427                           perf_event_open 298 241
    kexec_load 246 104      kexec_file_load 320 294     init_module 175 105
    finit_module 313 273    delete_module 176 106       reboot 169 142
    swapon 167 224          swapoff 168 225             userfaultfd 323 282
    open_by_handle_at 304 265                           name_to_handle_at 303 264
    quotactl 179 60         acct 163 89                 settimeofday 164 170
    clock_settime 227 112   adjtimex 159 171            clock_adjtime 305 266
"""
_WORDS = _TABLE.split()
_ROWS = [_WORDS[i : i + 3] for i in range(0, len(_WORDS), 3)]
DENIED = tuple(name for name, _, _ in _ROWS)

# machine: (AUDIT_ARCH_*, column in _TABLE, clone, clone3, seccomp)
_ARCHES = {
    "x86_64": (0xC000003E, 1, 56, 435, 317),
    "aarch64": (0xC00000B7, 2, 220, 435, 277),
}
X32_SYSCALL_BIT = 0x40000000

CLONE_NEWTIME = 0x80  # only valid in clone3 and unshare; in clone it would be an exit signal
CLONE_NEWNS = 0x20000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
CLONE_NAMESPACES = (
    CLONE_NEWTIME | CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS
    | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET
)  # fmt: skip

PR_SET_NO_NEW_PRIVS = 38
SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_TSYNC = 1
SECCOMP_RET_KILL_PROCESS = 0x80000000
SECCOMP_RET_ERRNO = 0x00050000
SECCOMP_RET_ALLOW = 0x7FFF0000

# classic BPF opcodes, and where struct seccomp_data keeps nr, arch and args[0]'s low word
BPF_LD_W_ABS, BPF_JEQ, BPF_JGE, BPF_JSET, BPF_RET = 0x20, 0x15, 0x35, 0x45, 0x06
NR, ARCH, ARG0 = 0, 4, 16

_EXITS = {
    "allow": SECCOMP_RET_ALLOW,
    "eperm": SECCOMP_RET_ERRNO | errno.EPERM,
    "enosys": SECCOMP_RET_ERRNO | errno.ENOSYS,
    "kill": SECCOMP_RET_KILL_PROCESS,
}


def supported():
    """Whether this machine has a filter here (Linux on x86_64 or aarch64)."""
    return sys.platform == "linux" and platform.machine() in _ARCHES


def program(machine=None):
    """The filter for `machine` (default: this one), as (code, jt, jf, k) instructions."""
    audit, column, clone, clone3, _ = _ARCHES[machine or platform.machine()]
    denied = [int(row[column]) for row in _ROWS if row[column] != "-"]
    # Jump targets are names of the exits placed at the end, or None for the next instruction.
    code = [(BPF_LD_W_ABS, None, None, ARCH), (BPF_JEQ, None, "kill", audit)]
    code.append((BPF_LD_W_ABS, None, None, NR))
    if audit == _ARCHES["x86_64"][0]:
        code.append((BPF_JGE, "eperm", None, X32_SYSCALL_BIT))
    code += [(BPF_JEQ, "eperm", None, nr) for nr in denied]
    code.append((BPF_JEQ, "enosys", None, clone3))
    code.append((BPF_JEQ, None, "allow", clone))
    code.append((BPF_LD_W_ABS, None, None, ARG0))
    code.append((BPF_JSET, "eperm", "allow", CLONE_NAMESPACES))
    where = {name: len(code) + i for i, name in enumerate(_EXITS)}
    code += [(BPF_RET, None, None, k) for k in _EXITS.values()]

    def offset(target, i):
        return 0 if target is None else where[target] - i - 1

    return [(op, offset(jt, i), offset(jf, i), k) for i, (op, jt, jf, k) in enumerate(code)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install():
    """Install the filter on every thread of this process, for good; OSError if it cannot."""
    if not supported():
        raise OSError(f"no seccomp filter for {sys.platform} on {platform.machine()}")
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    one, zero = ctypes.c_ulong(1), ctypes.c_ulong(0)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, one, zero, zero, zero) != 0:
        _fail("prctl(PR_SET_NO_NEW_PRIVS)")
    code = program()
    buffer = ctypes.create_string_buffer(b"".join(struct.pack("=HBBI", *op) for op in code))
    fprog = _SockFprog(len(code), ctypes.addressof(buffer))
    nr = _ARCHES[platform.machine()][4]
    mode, flags = ctypes.c_long(SECCOMP_SET_MODE_FILTER), ctypes.c_long(SECCOMP_FILTER_FLAG_TSYNC)
    rc = libc.syscall(ctypes.c_long(nr), mode, flags, ctypes.byref(fprog))
    if rc > 0:  # TSYNC answers with the id of a thread it could not bring along
        raise OSError(f"cannot install the seccomp filter: thread {rc} has a conflicting one")
    if rc < 0:
        _fail("seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC)")


def _fail(call):
    err = ctypes.get_errno()
    raise OSError(err, f"cannot install the seccomp filter: {call} failed: {os.strerror(err)}")
