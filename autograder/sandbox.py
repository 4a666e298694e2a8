"""The sandbox every submission runs in: bubblewrap around the zygote, namespaces per kernel.

The zygote (zygote.py) runs inside `bwrap` (Debian package bubblewrap). It sees the
system's programs and libraries and the read-only Python environment, nothing of the
course (source/, release/, the gradebook, submitted/, autograded/), of /home, /root, /tmp or
/run. Its only writable place is WORK, a size-limited tmpfs. It has its own pid, IPC and UTS
namespaces, an environment reduced to an allow-list (`clean_env`), and dies with the grader.

Each kernel the zygote forks then confines itself before any student code runs:
- `isolate`: its own mount, pid and IPC namespaces. It is pid 1 of its pid namespace and
  sees only its own processes in a fresh /proc; its folder WORK/k<id> (a copy of the
  submission's regular files) is bind-mounted on WORK, so no other kernel's folder exists
  for it; /tmp and /dev/shm are its own small tmpfs. When it ends, the kernel (pid 1) takes
  every process of its namespace with it.
- `limit`: rlimits on memory, processes, file size and open files; cgroup limits on
  processes and memory too where the machine offers them (as root).
- `confine`, once its zmq sockets are bound: its own network namespace (no network, no
  loopback to the host), no capabilities, no new privileges, and a seccomp filter
  (seccomp.py) that denies ptrace, mount, namespaces, keyctl, bpf, io_uring and the like.

Two modes, the strongest the machine allows (`mode`):
- root: a uid per kernel (FIRST_UID + id), so RLIMIT_NPROC counts each kernel alone, and
  per-kernel cgroups (v1 or v2) where they are mounted.
- rootless: bwrap makes an unprivileged user namespace; each kernel then enters a user
  namespace of its own, where RLIMIT_NPROC counts its processes alone (Linux >= 5.14 counts
  per user namespace). All kernels share the instructor's uid outside: memory is bounded per
  process (RLIMIT_AS), not per kernel, as no cgroup is delegated to an unprivileged user here.

`probe()` says why the sandbox cannot start, with the fix; `grade` then refuses, unless the
instructor switched it off (c.Autograder.sandbox = "off", or `grade --unsandboxed`).
Wall time per cell and per notebook and the output size are bounded by the grader.
"""

import ctypes
import importlib.util
import json
import os
import platform
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time

from autograder import seccomp
from autograder.config import UsageError
from autograder.seccomp import (
    CLONE_NEWIPC,
    CLONE_NEWNET,
    CLONE_NEWNS,
    CLONE_NEWPID,
    CLONE_NEWUSER,
    PR_SET_NO_NEW_PRIVS,
)

WORK = "/sandbox"
FIRST_UID = 200_000  # root mode: kernel k<id> runs as uid_base + id; no account uses these
UIDS = 100_000  # uids per zygote
CGROUPS = "/cgroup"  # where the batch's cgroups appear in the sandbox (root mode)
CGROUP_HEADROOM_MB = 1024  # a kernel's memory cgroup above its address space: cgroup_settings
SYSTEM = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"]
PROBE_TIMEOUT = 20
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 8, 0x1000, 0x4000, 0x40000
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_SECUREBITS = 1, 4, 24, 28
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
SECURE_ALL = 0x3F  # NOROOT, NO_SETUID_FIXUP, KEEP_CAPS and their locks: no way back to caps
# What a kernel's environment may hold: nothing else of the grader's reaches it.
ENV_ALLOWED = re.compile(
    r"PATH|HOME|LANG|LANGUAGE|LC_[A-Z]+|TZ|TERM|USER|LOGNAME|SHELL|SOURCE_DATE_EPOCH"
    r"|PYTHON(PATH|HASHSEED|IOENCODING|UTF8|WARNINGS|DONTWRITEBYTECODE)|MPLBACKEND|MPLCONFIGDIR"
    r"|(OMP|MKL|OPENBLAS)_NUM_THREADS|JPY_PARENT_PID|AUTOGRADER_PARENT_PID"
    r"|NBGRADER_EXECUTION|NBGRADER_VALIDATING"  # what nbgrader tells a notebook it runs under
)
ENV_SECRET = re.compile(r"TOKEN|SECRET|PASSW|CREDENTIAL|API_?KEY|^PG|DATABASE_URL", re.I)


def mode():
    """root: a uid and cgroups per kernel; rootless: a user namespace per kernel."""
    return "root" if os.geteuid() == 0 else "rootless"


def clean_env(env):
    """The allow-listed part of an environment; never a token, password or database URL."""
    return {k: v for k, v in env.items() if ENV_ALLOWED.fullmatch(k) and not ENV_SECRET.search(k)}


def choose(settings):
    """The kernels' limits where they run sandboxed; None where the instructor said "off".

    "require" (the default) refuses to grade where no sandbox can start, saying why and how
    to fix it; "auto" grades unsandboxed after a loud warning instead.
    """
    if settings.sandbox == "off":
        warn("c.Autograder.sandbox is 'off', or grade --unsandboxed")
        return None
    reason = probe()
    if reason is None:
        return limits_of(settings)
    if settings.sandbox == "require":
        raise UsageError(
            f"the sandbox cannot start: {reason}. To grade trusted code anyway, pass "
            "--unsandboxed (or set c.Autograder.sandbox = 'off')"
        )
    warn(reason)
    return None


def limits_of(settings):
    """What the sandbox applies to each kernel here: the settings' limits, the mode, cgroups."""
    return dict(settings.limits(), mode=mode(), cgroups=cgroup_kinds())


def describe(limits):
    if limits is None:
        return "Sandbox: OFF (student code ran with your permissions)"
    cgroups = "+".join(limits.get("cgroups") or ()) or "none"
    return (
        f"Sandbox: on ({limits['mode']} bubblewrap; per kernel "
        f"{limits['memory_mb']} MB, {limits['processes']} processes, cgroups: {cgroups}, "
        "seccomp, no network)"
    )


def warn(reason):
    print(
        f"WARNING: grading UNSANDBOXED ({reason}). Student code runs with your permissions: "
        "it can read and change the gradebook, source/ and other submissions.",
        file=sys.stderr,
        flush=True,
    )


def probe():
    """None if the sandbox can start here, else the reason it cannot and the fix."""
    if not sys.platform.startswith("linux"):
        return f"the sandbox needs Linux (namespaces, seccomp), this is {sys.platform}"
    if not seccomp.supported():
        return f"no seccomp filter is written for this machine ({platform.machine()})"
    if shutil.which("bwrap") is None:
        return (
            "bubblewrap is not installed: sudo apt-get install bubblewrap (Debian, Ubuntu), "
            "sudo dnf install bubblewrap (Fedora), or `make setup` as root"
        )
    command = ["bwrap", *binds(), *user_namespace(), "--unshare-pid", "--", "true"]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=PROBE_TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"bubblewrap did not start within {PROBE_TIMEOUT} s"
    if proc.returncode:
        return why_bwrap_fails(proc.stderr.strip()[:300])
    return None


def why_bwrap_fails(error):
    """What stops namespaces here, and what to change."""
    sysctl = _read("/proc/sys/kernel/unprivileged_userns_clone")
    if mode() == "rootless" and (
        sysctl == "0" or _read("/proc/sys/user/max_user_namespaces") == "0"
    ):
        return (
            f"user namespaces are disabled ({error}): sudo sysctl -w "
            "kernel.unprivileged_userns_clone=1 user.max_user_namespaces=15000 (or grade as root)"
        )
    if _read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == "1":
        return (
            f"AppArmor restricts unprivileged user namespaces (Ubuntu 23.10+; {error}): install "
            "the profile that allows bwrap (Ubuntu 24.04: sudo apt-get install apparmor-profiles "
            "&& sudo ln -s /usr/share/apparmor/extra-profiles/bwrap-userns-restrict "
            "/etc/apparmor.d/ && sudo apparmor_parser -r /etc/apparmor.d/bwrap-userns-restrict)"
        )
    if os.path.exists("/.dockerenv") or os.environ.get("KUBERNETES_SERVICE_HOST"):
        return (
            f"this container forbids namespaces ({error}): Docker's and Kubernetes' default "
            "seccomp profile blocks unshare and mount; run it with --security-opt "
            "seccomp=unconfined (Kubernetes: securityContext.seccompProfile.type: Unconfined), "
            "or grade outside the container"
        )
    return f"bubblewrap cannot create namespaces here: {error}"


def _read(path):
    try:
        with open(path, encoding="ascii") as f:
            return f.read().strip()
    except OSError:
        return None


def user_namespace():
    """Rootless: bwrap makes a user namespace, where the zygote is root with its caps."""
    if mode() == "root":
        return ["--cap-add", "ALL"]
    return ["--unshare-user", "--uid", "0", "--gid", "0", "--cap-add", "ALL"]


def binds(packages=()):
    """bwrap arguments: the system and the Python environment read-only, nothing else."""
    args = ["--perms", "0755", "--tmpfs", "/tmp"]  # first: a bind below /tmp stays visible
    for path in SYSTEM:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    paths = _outermost(python_paths(packages))
    # The folders bwrap makes on the way to a bind would be root's alone (0700).
    for folder in sorted({a for p in paths for a in _ancestors(p)}):
        args += ["--perms", "0755", "--dir", folder]
    for path in paths:
        args += ["--ro-bind", path, path]
    return args + ["--dev", "/dev", "--proc", "/proc"]


def python_paths(packages):
    """The interpreter, its library, sys.path, the packages' folders, matplotlib's cache."""
    prefixes = {sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    paths = set(prefixes)
    # Not the working folder (the course root, sys.path[0] under `python -m`): only the
    # environment's own entries; packages installed elsewhere (editable) come by name below.
    paths.update(p for p in sys.path if p and any(_inside(p, prefix) for prefix in prefixes))
    for name in ["autograder", *packages]:
        spec = importlib.util.find_spec(name.partition(".")[0])
        for location in (spec.submodule_search_locations or []) if spec else []:
            paths.add(location)
    home = os.path.expanduser("~")
    for cache in (os.environ.get("MPLCONFIGDIR"), f"{home}/.cache/matplotlib"):
        if cache and os.path.isdir(cache):
            paths.add(cache)
    return {os.path.realpath(p) for p in paths if os.path.isdir(p)}


def _inside(path, folder):
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _ancestors(path):
    parent = os.path.dirname(path)
    while parent != "/":
        yield parent
        parent = os.path.dirname(parent)


def _outermost(paths):
    """Drop the paths inside another one, and those a system bind already covers."""
    kept = []
    for path in sorted(paths):
        covered = [*kept, *(p for p in SYSTEM if not os.path.islink(p))]
        if not any(_inside(path, k) for k in covered):
            kept.append(path)
    return kept


def wrap(command, limits, packages=(), cgroups=None):
    """The bwrap command line that runs `command` (the zygote) in the sandbox.

    cgroups: {controller: host folder} of the batch (root mode), bound writable in CGROUPS.
    """
    work = ["--size", str(limits["work_mb"] << 20), "--perms", "0755", "--tmpfs", WORK]
    groups = [
        a for kind, path in (cgroups or {}).items() for a in ("--bind", path, f"{CGROUPS}/{kind}")
    ]
    return [
        "bwrap",
        *binds(packages),
        *work,
        *groups,
        *user_namespace(),
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        # A cgroup namespace would hide the batch's cgroups from the kernels that join them.
        *([] if groups else ["--unshare-cgroup-try"]),
        "--new-session",
        "--die-with-parent",
        "--chdir",
        WORK,
        "--",
        *command,
    ]


# -- cgroups of a batch (root mode), made by the grader outside the sandbox

CGROUP_ROOT = "/sys/fs/cgroup"


def cgroup_kinds():
    """The per-kernel cgroup limits this machine offers the grader: v2, or v1 pids/memory."""
    if mode() != "root":
        return []
    if os.path.exists(f"{CGROUP_ROOT}/cgroup.controllers"):
        wanted = {"pids", "memory"}
        return (
            ["v2"]
            if wanted <= set((_read(f"{CGROUP_ROOT}/cgroup.controllers") or "").split())
            else []
        )
    return [k for k in ("pids", "memory") if os.access(f"{CGROUP_ROOT}/{k}", os.W_OK)]


def make_cgroups(kinds, name):
    """{kind: host folder} of a new cgroup per kind for one batch; {} where one fails."""
    made = {}
    sweep_cgroups(kinds)
    try:
        for kind in kinds:
            path = f"{CGROUP_ROOT}/{name}" if kind == "v2" else f"{CGROUP_ROOT}/{kind}/{name}"
            os.makedirs(path, exist_ok=True)
            made[kind] = path
            if kind == "v2":
                _write(f"{path}/cgroup.subtree_control", "+pids +memory")
    except OSError as err:
        print(f"autograder: no per-kernel cgroups ({err}); rlimits still apply", file=sys.stderr)
        remove_cgroups(made)
        return {}
    return made


def sweep_cgroups(kinds):
    """Remove the cgroups of batches whose grader is gone (killed, so it could not)."""
    for kind in kinds:
        base = CGROUP_ROOT if kind == "v2" else f"{CGROUP_ROOT}/{kind}"
        for name in os.listdir(base) if os.path.isdir(base) else []:
            pid = name.removeprefix("autograder-")
            if (
                name.startswith("autograder-")
                and pid.isdigit()
                and not os.path.exists(f"/proc/{pid}")
            ):
                remove_cgroups({kind: f"{base}/{name}"})


def remove_cgroups(made):
    for path in made.values():
        for child in sorted(os.listdir(path)) if os.path.isdir(path) else []:
            if os.path.isdir(f"{path}/{child}"):
                _rmdir(f"{path}/{child}")
        _rmdir(path)


def _rmdir(path, tries=40):
    """Remove an empty cgroup; its last processes may take a moment to go (EBUSY)."""
    for _ in range(tries):
        try:
            os.rmdir(path)
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.05)


def _write(path, text):
    with open(path, "w", encoding="ascii") as f:
        f.write(text)


# -- in the forked kernel, as (namespace) root in the sandbox, before any student code


def uid_base(zygote_pid):
    """The first kernel uid of a zygote: one block of UIDS per pid, below 2**31."""
    return FIRST_UID + (zygote_pid % 20_000) * UIDS


def prepare(kernel_id, files, connection, limits):
    """The kernel's folder with the submission's files and its connection file; its uid."""
    root = limits["mode"] == "root"
    uid = limits.get("uid_base", FIRST_UID) + kernel_id % UIDS if root else os.getuid()
    home = os.path.join(WORK, f"k{kernel_id}")
    os.mkdir(home, 0o700)
    for name, data in files.items():
        path = os.path.join(home, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(bytes.fromhex(data))
    with open(os.path.join(home, ".kernel.json"), "w", encoding="utf-8") as f:
        json.dump(connection, f)
    for folder, dirs, names in os.walk(home):
        for name in [*dirs, *names]:
            os.chown(os.path.join(folder, name), uid, uid)
    os.chown(home, uid, uid)
    return home, uid


def keep_log(kernel_id, log, limit=1 << 16):
    """Append the end of a dead kernel's own log to `log`: it lies in the kernel's folder,
    which goes when the kernel is reaped.

    The student's code may have replaced that file: a link, or anything not a plain file
    with one name, is not read.
    """
    path = os.path.join(WORK, f"k{kernel_id}", ".kernel.log")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
            return
        tail = os.pread(fd, limit, max(0, info.st_size - limit))
    finally:
        os.close(fd)
    with open(log, "ab") as out:
        out.write(tail)


def isolate(kernel_id, home, limits, ready):
    """Namespaces of its own; return in the child, which is pid 1 there. The parent, the
    process the zygote knows, tells the zygote the child's pid on `ready`, waits for it and
    ends as it ended: it never returns.
    """
    join_cgroups(kernel_id, limits)
    _check(_libc().unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC), "unshare")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    child = os.fork()
    if child:
        os.write(ready, f"{child} ".encode())
        os.close(ready)
        _stand_by(child)
    _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # a fork clears it
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _mount(home, WORK, None, MS_BIND | MS_REC)  # the other kernels' folders are gone
    size = f"size={limits['file_mb']}m,mode=1777"
    for scratch in ("/tmp", "/dev/shm"):
        if os.path.isdir(scratch):
            _mount("tmpfs", scratch, "tmpfs", MS_NOSUID | MS_NODEV, size)
    if limits["mode"] == "rootless":
        _own_user_namespace()
    return WORK


def _stand_by(child):
    """The parent half: signals from the zygote reach the child through the process group."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            _, status = os.waitpid(child, 0)
            break
        except ChildProcessError:
            os._exit(1)
    code = os.waitstatus_to_exitcode(status)
    if code < 0:  # died by a signal: so does the parent, for the grader to report
        if -code not in (signal.SIGKILL, signal.SIGSTOP):  # these two have no handler
            signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    os._exit(code)


def _own_user_namespace():
    """A user namespace per kernel: RLIMIT_NPROC then counts this kernel's processes alone."""
    uid, gid = os.getuid(), os.getgid()
    _check(_libc().unshare(CLONE_NEWUSER), "unshare(CLONE_NEWUSER)")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")


def cgroup_settings(kind, limits):
    """{file: value} of one kernel's cgroup of this kind (v2, or v1's pids or memory).

    The memory cgroup bounds the kernel's processes together, with CGROUP_HEADROOM_MB above
    one process's address space (RLIMIT_AS): what the cgroup counts besides a process's own
    allocations (the pages of torch's libraries it faults in again, files it writes) must
    not fill it first. A full cgroup makes the kernel reclaim and fault in those pages over
    and over, until the cell times out, instead of a prompt MemoryError.
    """
    memory = (limits["memory_mb"] + CGROUP_HEADROOM_MB) << 20
    return {
        "v2": {"pids.max": limits["processes"], "memory.max": memory, "memory.swap.max": 0},
        "pids": {"pids.max": limits["processes"]},
        "memory": {"memory.limit_in_bytes": memory},
    }[kind]


def join_cgroups(kernel_id, limits):
    """Root mode: this kernel's own cgroups (pids, memory) in the batch's, where there are."""
    for kind in limits.get("cgroups") or ():
        path = f"{CGROUPS}/{kind}/k{kernel_id}"
        os.mkdir(path)
        for name, value in cgroup_settings(kind, limits).items():
            if os.path.exists(f"{path}/{name}"):
                _write(f"{path}/{name}", str(value))
        _write(f"{path}/cgroup.procs", "0")


def remove_kernel_cgroups(kernel_id, limits):
    for kind in limits.get("cgroups") or ():
        _rmdir(f"{CGROUPS}/{kind}/k{kernel_id}", tries=1)  # empty: its pid namespace ended first


def limit(limits):
    """Rlimits on what one kernel may take (RLIMIT_NPROC counts its own uid or namespace)."""
    mb = 1 << 20
    for what, value in (
        (resource.RLIMIT_AS, limits["memory_mb"] * mb),
        (resource.RLIMIT_NPROC, limits["processes"]),
        (resource.RLIMIT_FSIZE, limits["file_mb"] * mb),
        (resource.RLIMIT_NOFILE, limits["open_files"]),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(what, (value, value))


def confine(uid, limits):
    """After the kernel's sockets are bound: no network, no capabilities, seccomp, for good."""
    libc = _libc()
    _check(libc.unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)")
    if limits["mode"] == "root":
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)  # from root to another uid: every capability goes too
    else:
        _drop_capabilities(libc)
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # its /proc/self is its own again
    seccomp.install()


def _drop_capabilities(libc):
    """Namespace root keeps no capability, now or after an exec."""
    _check(libc.prctl(PR_SET_SECUREBITS, SECURE_ALL, 0, 0, 0), "prctl(PR_SET_SECUREBITS)")
    cap = 0
    while libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0:
        cap += 1
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this thread
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable: all empty
    _check(libc.capset(header, data), "capset")


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what} failed in the kernel's sandbox: {os.strerror(err)}")


def _mount(source, target, kind, flags, data=None):
    encode = lambda text: None if text is None else text.encode()  # noqa: E731
    result = _libc().mount(encode(source), encode(target), encode(kind), flags, encode(data))
    _check(result, f"mount {target}")


def links(folder):
    """{relative path: target} of the symbolic links in a submission's folder."""
    found = {}
    for path, dirs, names in os.walk(folder):
        for name in [*dirs, *names]:
            full = os.path.join(path, name)
            if os.path.islink(full):
                found[os.path.relpath(full, folder)] = os.readlink(full)
    return found


def read_files(folder, max_bytes):
    """{relative path: hex} of the regular files a kernel starts with (stock: its working
    folder). Links are never followed: a link to source/ would hand over the solutions."""
    files, total = {}, 0
    for path, _, names in os.walk(folder):
        for name in names:
            full = os.path.join(path, name)
            if os.path.islink(full) or not os.path.isfile(full):
                continue
            total += os.path.getsize(full)
            if total > max_bytes:
                raise ValueError(
                    f"the files beside the notebook in {folder} exceed {max_bytes >> 20} MB "
                    "(c.Autograder.work_mb): the sandbox has no room for them"
                )
            with open(full, "rb") as f:
                files[os.path.relpath(full, folder)] = f.read().hex()
    return files
