"""The gradebook on PostgreSQL (`HUB_DB=postgresql make hub`) grades exactly as on SQLite.

A throwaway PostgreSQL server in a temporary folder, run by an unprivileged user (postgres
refuses root) on a Unix socket only; the same submissions graded by `python -m autograder grade`
into a course on SQLite and one on PostgreSQL; every grade of the two gradebooks compared.
"""

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from coursekit import (
    ROOT,
    answers,
    as_user,
    assignments,
    autograder,
    exercise_of,
    generate_release,
    make_course,
    reference_answers,
    submit,
)

sys.path.insert(0, str(ROOT / "hub"))
from demo import SetupError, postgres_binary  # noqa: E402  (hub/ is scripts, not a package)

CH1 = assignments()[0]
PG_USER = "autograder-pg"


def unavailable(reason):
    if os.environ.get("CI"):
        pytest.fail(f"CI must test the PostgreSQL gradebook: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def postgres():
    """A PostgreSQL server for this module; yields a function that makes a database's URL."""
    psycopg = pytest.importorskip("psycopg")
    try:
        initdb, server = postgres_binary("initdb"), postgres_binary("postgres")
    except SetupError as err:
        unavailable(str(err))
    home = Path(tempfile.mkdtemp(prefix="gradebook-pg-"))
    prefix = as_user(PG_USER, home) if os.geteuid() == 0 else []
    user = PG_USER if prefix else pwd.getpwuid(os.geteuid()).pw_name
    data, proc = home / "data", None
    try:
        subprocess.run(
            [*prefix, initdb, "-D", data, "-U", user, "--auth=trust", "--no-instructions"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        proc = subprocess.Popen(
            [*prefix, server, "-D", data, "-c", "listen_addresses=",
             "-c", f"unix_socket_directories={home}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                psycopg.connect(host=str(home), dbname="postgres", user=user).close()
                break
            except psycopg.OperationalError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"PostgreSQL did not start: {proc.stderr.read1().decode()}")
                time.sleep(0.3)

        def database(name):
            with psycopg.connect(host=str(home), dbname="postgres", user=user) as db:
                db.autocommit = True
                db.execute(f'CREATE DATABASE "{name}"')
            return f"postgresql+psycopg://{user}@/{name}?host={home}"

        yield database
    finally:
        if proc is not None:
            # pg_ctl's "fast" stop ends the server and its own processes, and waits for them.
            pg_ctl = str(Path(server).with_name("pg_ctl"))
            subprocess.run([*prefix, pg_ctl, "-D", data, "-m", "fast", "-w", "stop"],
                           capture_output=True, timeout=60)  # fmt: skip
            proc.wait(timeout=30)
        shutil.rmtree(home)


def grades(db_url, assignment):
    """{student: {grade_id: (score, max_score, needs manual grading)}} of every cell."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gb:
        return {
            sub.student.id: {
                g.name: (g.score, g.max_score, g.needs_manual_grade)
                for nb in sub.notebooks
                for g in nb.grades
            }
            for sub in gb.assignment_submissions(assignment)
        }


def graded_course(folder, db_url, wrong):
    course = make_course(folder, [CH1])
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as f:
        f.write(f"\nc.CourseDirectory.db_url = {db_url!r}\n")
    generate_release(course, CH1)
    reference = reference_answers(CH1)
    submit(course, CH1, "reference", reference)
    submit(course, CH1, "wrong", reference | {wrong.function: wrong.source()})
    autograder("grade", CH1, cwd=course)
    autograder("feedback", CH1, cwd=course)
    return course


@pytest.mark.slow
@pytest.mark.hub
@pytest.mark.xdist_group("postgres")
def test_postgres_gradebook_holds_the_same_scores_as_sqlite(postgres, tmp_path):
    wrong = next(a for a in answers(CH1) if not a.correct)
    sqlite = f"sqlite:///{tmp_path / 'sqlite' / 'gradebook.db'}"
    pg = postgres("gradebook_compare")
    graded_course(tmp_path / "sqlite", sqlite, wrong)
    course = graded_course(tmp_path / "postgresql", pg, wrong)
    on_sqlite, on_pg = grades(sqlite, CH1), grades(pg, CH1)

    assert on_pg == on_sqlite and set(on_pg) == {"reference", "wrong"}, (on_pg, on_sqlite)
    code = {gid for gid in on_pg["reference"] if gid.startswith("test_")}
    assert code and all(on_pg["reference"][g][0] == on_pg["reference"][g][1] for g in code)
    lost = {g for g in code if on_pg["wrong"][g][0] < on_pg["wrong"][g][1]}
    assert lost and {exercise_of(g) for g in lost} == {wrong.function}, lost
    # The autograder's own records stay in the course root while the gradebook is remote.
    assert not (course / "gradebook.db").exists()
    ledger = (course / ".autograder" / f"{CH1}.jsonl").read_text(encoding="utf-8")
    assert '"reference"' in ledger and '"wrong"' in ledger
    for student in ("reference", "wrong"):
        assert list((course / "feedback" / student / CH1).glob("*.html")), student
