"""The sandbox every submission runs in: bubblewrap around the zygote, limits per kernel.

The zygote (zygote.py) runs inside `bwrap` (Debian package bubblewrap). It sees the
system's programs and libraries and the read-only Python environment, nothing of the
course (source/, release/, the gradebook, submitted/, autograded/), of /home, /root, /tmp or
/run. Its only writable place is WORK, a size-limited tmpfs. It has its own pid, IPC and UTS
namespaces and dies with the grader.

Each kernel the zygote forks then confines itself before any student code runs
(`confine`): its own folder WORK/k<id> (mode 0700) holding a copy of the submission's
files, its own unprivileged uid (so no kernel reads another's folder, and RLIMIT_NPROC
counts its processes alone), no network (a network namespace of its own, entered after its
zmq sockets are bound), no capabilities, no new privileges, and rlimits on memory,
processes, file size and open files. Wall time per cell and per notebook and the output
size are bounded by the grader (grade.py, kernel.py).

Uids and a fresh network namespace per kernel need root: `probe()` says why the sandbox
cannot start elsewhere, and grading then goes on unsandboxed after one loud warning.
"""

import ctypes
import importlib.util
import json
import os
import resource
import shutil
import signal
import subprocess
import sys

from autograder.config import UsageError

WORK = "/sandbox"
FIRST_UID = 200_000  # kernel k<id> runs as FIRST_UID + id: no account uses these
CLONE_NEWNET = 0x40000000
PR_SET_NO_NEW_PRIVS = 38
PR_SET_DUMPABLE = 4
SYSTEM = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"]
PROBE_TIMEOUT = 20


def choose(settings):
    """The kernels' limits where they run sandboxed; None, after a loud warning, where not."""
    if settings.sandbox == "off":
        warn("c.Autograder.sandbox is 'off'")
        return None
    reason = probe()
    if reason is None:
        return settings.limits()
    if settings.sandbox == "require":
        raise UsageError(f"the sandbox cannot start: {reason} (c.Autograder.sandbox='require')")
    warn(reason)
    return None


def describe(limits):
    if limits is None:
        return "Sandbox: OFF (student code ran with your permissions)"
    return (
        f"Sandbox: on (bubblewrap; per kernel {limits['memory_mb']} MB, "
        f"{limits['processes']} processes, no network)"
    )


def warn(reason):
    print(
        f"WARNING: grading UNSANDBOXED ({reason}). Student code runs with your permissions: "
        "it can read and change the gradebook, source/ and other submissions.",
        file=sys.stderr,
        flush=True,
    )


def probe():
    """None if the sandbox can start here, else the reason it cannot."""
    if not sys.platform.startswith("linux"):
        return f"bubblewrap needs Linux, this is {sys.platform}"
    if shutil.which("bwrap") is None:
        return "bubblewrap is not installed (Debian: apt-get install bubblewrap; `make setup`)"
    if os.geteuid() != 0:
        return "a uid per kernel needs root: run the grader as root (sudo) to sandbox it"
    try:
        proc = subprocess.run(
            ["bwrap", *binds(), "--unshare-pid", "--cap-add", "ALL", "--", "true"],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return f"bubblewrap did not start within {PROBE_TIMEOUT} s"
    if proc.returncode:
        return f"bubblewrap cannot create namespaces here: {proc.stderr.strip()[:200]}"
    return None


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


def wrap(command, limits, packages=()):
    """The bwrap command line that runs `command` (the zygote) in the sandbox."""
    work = ["--size", str(limits["work_mb"] << 20), "--perms", "0755", "--tmpfs", WORK]
    return [
        "bwrap",
        *binds(packages),
        *work,
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--new-session",
        "--die-with-parent",
        "--cap-add",
        "ALL",
        "--chdir",
        WORK,
        "--",
        *command,
    ]


# -- in the forked kernel, as root in the sandbox


def prepare(kid, files, connection):
    """The kernel's folder with the submission's files and its connection file; its uid."""
    uid = FIRST_UID + kid
    home = os.path.join(WORK, f"k{kid}")
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


def limit(limits):
    """Rlimits on what one kernel may take (its uid is its own: NPROC counts it alone)."""
    mb = 1 << 20
    for what, value in (
        (resource.RLIMIT_AS, limits["memory_mb"] * mb),
        (resource.RLIMIT_NPROC, limits["processes"]),
        (resource.RLIMIT_FSIZE, limits["file_mb"] * mb),
        (resource.RLIMIT_NOFILE, limits["open_files"]),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(what, (value, value))


def confine(uid):
    """After the kernel's sockets are bound: no network, then an unprivileged uid for good."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET) failed")
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)  # from root to another uid: every capability goes too
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # its /proc/self is its own again


def kill_uid(uid):
    """Kill whatever still runs as this kernel's uid (a child that left its session)."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    os.kill(int(entry), signal.SIGKILL)
            except (FileNotFoundError, ProcessLookupError):
                continue


def read_files(folder, max_bytes):
    """{relative path: hex} of the files a kernel starts with (stock: its working folder)."""
    files, total = {}, 0
    for path, _, names in os.walk(folder):
        for name in names:
            full = os.path.join(path, name)
            total += os.path.getsize(full)
            if total > max_bytes:
                raise ValueError(
                    f"the files beside the notebook in {folder} exceed {max_bytes >> 20} MB "
                    "(c.Autograder.work_mb): the sandbox has no room for them"
                )
            with open(full, "rb") as f:
                files[os.path.relpath(full, folder)] = f.read().hex()
    return files
