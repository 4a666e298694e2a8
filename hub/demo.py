"""`make hub`: the course on a JupyterHub on this machine, for an instructor and three students.

Run as root (Linux): python hub/demo.py [--state DIR] [--port N] [--db sqlite|postgresql].
Idempotent: it makes what is missing (Unix accounts, folders, the course, the gradebook, the
release of every chapter to nbgrader's exchange), then runs JupyterHub with
hub/jupyterhub_config.py until Ctrl-C (or SIGTERM), and stops all it started.

Everything lives in the state folder (default .hub/, which git ignores):

    exchange/                 nbgrader's exchange, root's, world-writable as nbgrader asks
    etc/jupyter/              nbgrader_config.py every server reads: course_id, Exchange.root
    home/USER/                each user's home on the hub (0700, theirs)
    home/instructor/course/   the course: source/, the repo's nbgrader_config.py, gradebook
    postgres/                 HUB_DB=postgresql: the server's data and socket (instructor's, 0700)
    hub/                      JupyterHub's own database, cookie secret and proxy pid (root's)
"""

import argparse
import fcntl
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from autograder.scratch import ROOT, assignments, course_id, free_port

BIN = Path(sys.executable).parent
CHP = ROOT / "hub" / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
INSTRUCTOR, STUDENTS = "instructor", ("student1", "student2", "student3")


class SetupError(Exception):
    """What stops the demo, and what to do about it."""


def check(state):
    if sys.platform != "linux" or os.geteuid() != 0:
        raise SetupError(
            "make hub runs as root on Linux: it creates accounts and runs their servers"
        )
    if not os.access(CHP, os.X_OK):
        raise SetupError(f"no {CHP.relative_to(ROOT)}: run `make hub-deps` (npm installs it)")
    for folder in [*reversed(state.parents), BIN]:
        if not folder.stat().st_mode & 0o001:
            raise SetupError(
                f"{folder} is closed to other users (o-x), so the hub's users cannot reach "
                f"{state} or {BIN}: chmod o+x {folder}, or keep the repository elsewhere"
            )


def account(user):
    """The Unix account, made if missing: an ordinary one, so a PAM login would work too."""
    try:
        return pwd.getpwnam(user)
    except KeyError:
        command = ["useradd", "--create-home", "--shell", "/bin/bash", user]
        subprocess.run(command, check=True, capture_output=True, timeout=60)
        print(f"created the Unix account {user}")
        return pwd.getpwnam(user)


def folder(path, owner, mode):
    path.mkdir(parents=True, exist_ok=True)
    entry = pwd.getpwnam(owner)
    os.chown(path, entry.pw_uid, entry.pw_gid)
    path.chmod(mode)
    return path


def chown_tree(top, user):
    entry = pwd.getpwnam(user)
    for parent, dirs, names in os.walk(top):
        for name in [parent, *(os.path.join(parent, n) for n in dirs + names)]:
            os.lchown(name, entry.pw_uid, entry.pw_gid)


def as_instructor(command, cwd, env):
    """Run a command as the instructor; fail with its output when it fails."""
    entry = pwd.getpwnam(INSTRUCTOR)
    proc = subprocess.run(
        command, cwd=cwd, env=env, user=entry.pw_uid, group=entry.pw_gid, extra_groups=[],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if proc.returncode:
        raise SetupError(f"{' '.join(command)} failed:\n{proc.stdout}{proc.stderr}")
    return proc


def postgres_binary(name):
    """initdb or postgres: on PATH, or where Debian's postgresql package puts them."""
    found = shutil.which(name) or sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not found:
        raise SetupError(f"no {name}: run `make hub-deps` (Debian's postgresql package)")
    return str(found[-1] if isinstance(found, list) else found)


def start_postgres(state):
    """A PostgreSQL server run by the instructor, on a socket in their private folder only
    (no TCP port: students cannot reach the gradebook). Returns (process, db_url)."""
    import psycopg

    account(INSTRUCTOR)  # on a new machine, set_up has not made it yet
    home = folder(state / "postgres", INSTRUCTOR, 0o700)
    data = home / "data"
    if not (data / "PG_VERSION").exists():
        initdb = [postgres_binary("initdb"), "-D", str(data), "-U", INSTRUCTOR, "-E", "UTF8"]
        as_instructor([*initdb, "--auth=trust", "--no-instructions"], home, os.environ)
    entry = pwd.getpwnam(INSTRUCTOR)
    log = open(home / "postgres.log", "ab")  # noqa: SIM115 (the server's, for its lifetime)
    server = subprocess.Popen(
        [postgres_binary("postgres"), "-D", str(data), "-c", "listen_addresses=",
         "-c", f"unix_socket_directories={home}"],
        cwd=home, user=entry.pw_uid, group=entry.pw_gid, extra_groups=[],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        try:
            with psycopg.connect(host=str(home), dbname="postgres", user=INSTRUCTOR) as db:
                db.autocommit = True
                known = db.execute("SELECT 1 FROM pg_database WHERE datname = 'gradebook'")
                if not known.fetchone():
                    db.execute("CREATE DATABASE gradebook")
            break
        except psycopg.OperationalError:
            if server.poll() is not None or time.monotonic() > deadline:
                stop(server, signal.SIGINT)
                raise SetupError(f"PostgreSQL did not start: see {home / 'postgres.log'}") from None
            time.sleep(0.5)
    return server, f"postgresql+psycopg://{INSTRUCTOR}@/gradebook?host={home}"


def set_up_course(state, db_url, env, only=None):
    """The instructor's course, its gradebook, and every chapter released to the exchange."""
    home = state / "home" / INSTRUCTOR
    course = folder(home / "course", INSTRUCTOR, 0o700)
    shutil.copytree(
        ROOT / "source", course / "source", dirs_exist_ok=True,
        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
    )  # fmt: skip
    config = (ROOT / "nbgrader_config.py").read_text(encoding="utf-8")
    # The course's gradebook at an absolute place: formgrader runs in the instructor's home.
    config += f"\n# make hub (hub/demo.py)\nc.CourseDirectory.db_url = {db_url!r}\n"
    (course / "nbgrader_config.py").write_text(config, encoding="utf-8")
    jupyter = folder(home / ".jupyter", INSTRUCTOR, 0o700)
    (jupyter / "nbgrader_config.py").write_text(
        f"c.CourseDirectory.root = {str(course)!r}\n"
        f"load_subconfig({str(course / 'nbgrader_config.py')!r})\n",
        encoding="utf-8",
    )
    chown_tree(home, INSTRUCTOR)
    outbound = state / "exchange" / course_id() / "outbound"
    listed = as_instructor([str(BIN / "nbgrader"), "db", "assignment", "list"], course, env)
    for assignment in only or assignments():
        if f"{assignment} (" not in listed.stdout or not (course / "release" / assignment).is_dir():
            print(f"generating {assignment}")
            nbgrader = [str(BIN / "nbgrader"), "generate_assignment", assignment, "--force"]
            as_instructor(nbgrader, course, env)
        if not (outbound / assignment).is_dir():
            print(f"releasing {assignment} to the exchange")
            release = [str(BIN / "nbgrader"), "release_assignment", assignment, "--force"]
            as_instructor(release, course, env)
    return course


def set_up(state, db_url, only=None):
    """Accounts and folders; the environment every nbgrader run of the hub sees."""
    for user in (INSTRUCTOR, *STUDENTS):
        account(user)
        folder(state / "home" / user, user, 0o700)
    folder(state / "hub", "root", 0o700)
    exchange = folder(state / "exchange", "root", 0o777)
    etc = folder(state / "etc" / "jupyter", "root", 0o755)
    (etc / "nbgrader_config.py").write_text(
        f"c.CourseDirectory.course_id = {course_id()!r}\nc.Exchange.root = {str(exchange)!r}\n",
        encoding="utf-8",
    )
    env = {
        "PATH": f"{BIN}:/usr/bin:/bin",  # nbgrader runs alembic from PATH
        "HOME": str(state / "home" / INSTRUCTOR),
        "JUPYTER_CONFIG_PATH": str(etc),
        "LANG": "C.UTF-8",
    }
    return set_up_course(state, db_url or "", env, only), etc


def wait_for_hub(url, hub, timeout=120):
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(f"{url}/hub/api", timeout=2)
            return
        except OSError:
            if hub.poll() is not None:
                raise SetupError(f"JupyterHub exited with status {hub.returncode}") from None
            if time.monotonic() > deadline:
                raise SetupError(f"JupyterHub did not answer at {url} within {timeout} s") from None
            time.sleep(0.5)


def stop(proc, sig=signal.SIGTERM, timeout=60):
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def main(argv=None):
    p = argparse.ArgumentParser(prog="hub/demo.py", description=__doc__.split("\n")[0])
    p.add_argument("--state", type=Path, default=ROOT / ".hub", help="where it keeps everything")
    p.add_argument("--port", type=int, default=8000, help="the hub's port on 127.0.0.1")
    p.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite", help="gradebook")
    p.add_argument("--assignment", action="append", help="release only these (default: all)")
    args = p.parse_args(argv)
    state = args.state.resolve()
    # SIGTERM stops it as Ctrl-C does: everything it started is stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in background
    postgres = hub = None
    try:
        check(state)
        folder(state, "root", 0o755)
        lock = open(folder(state / "hub", "root", 0o700) / "lock", "w")  # noqa: SIM115
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SetupError(f"another make hub runs on {state}: stop it first") from None
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # taken: listened on
            try:
                s.bind(("127.0.0.1", args.port))
            except OSError as err:
                raise SetupError(
                    f"port {args.port} is taken ({err}): HUB_PORT=N make hub"
                ) from None
        if args.db == "postgresql":
            postgres, db_url = start_postgres(state)
        else:
            db_url = f"sqlite:///{state / 'home' / INSTRUCTOR / 'course' / 'gradebook.db'}"
        course, etc = set_up(state, db_url, args.assignment)
        password = os.environ.get("HUB_DEMO_PASSWORD") or secrets.token_urlsafe(9)
        url = f"http://127.0.0.1:{args.port}"
        env = dict(
            os.environ,
            HUB_DEMO_PASSWORD=password,
            HUB_STATE=str(state),
            HUB_PORT=str(args.port),
            HUB_API_PORT=str(free_port()),
            HUB_PROXY_API_PORT=str(free_port()),
            HUB_COURSE=str(course),
            HUB_CONFIG_PATH=str(etc),
        )
        config = ROOT / "hub" / "jupyterhub_config.py"
        # A session of its own: Ctrl-C reaches this script alone, which stops the hub once.
        hub = subprocess.Popen(
            [BIN / "jupyterhub", "-f", config], cwd=state / "hub", env=env, start_new_session=True
        )
        wait_for_hub(url, hub)
        chosen = os.environ.get("HUB_DEMO_PASSWORD")
        print(
            f"\nJupyterHub is at {url}  (gradebook: {args.db})\n"
            f"accounts: {INSTRUCTOR} (Nbgrader > Formgrader), {', '.join(STUDENTS)}\n"
            f"password: {password}"
            f"{'' if chosen else '  (made at random: set HUB_DEMO_PASSWORD to choose one)'}\n"
            "Ctrl-C stops it.\n",
            flush=True,
        )
        return hub.wait()
    except SetupError as err:
        print(f"make hub: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    finally:
        # JupyterHub stops the users' servers, the proxy and the grading service itself.
        stop(hub, signal.SIGTERM, timeout=90)
        stop(postgres, signal.SIGINT)  # PostgreSQL's "fast" shutdown


if __name__ == "__main__":
    sys.exit(main())
