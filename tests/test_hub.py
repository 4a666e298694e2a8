"""`make hub`'s class in a real browser: students submit, feedback comes back by itself.

The test starts hub/demo.py (what `make hub` runs) as root on a free loopback port with its
state in a folder of its own: real JupyterHub, configurable-http-proxy, single-user JupyterLabs
with nbgrader's extensions, the grading service and, for HUB_DB=postgresql, a real PostgreSQL.
In headless Chromium, student1 fetches chapter 1 in the Assignments tab, solves it (the test
writes the reference answers into the fetched notebook), validates and submits it; student2
submits a wrong answer. Both fetch their feedback once the service has graded them, and see
their scores and no hidden test. The instructor sees both in formgrader, grades the written
answer by hand, and `nbgrader export` has the totals. Everything the hub started is stopped.
"""

import contextlib
import csv
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from coursekit import (
    CHROMEDRIVER,
    CHROMIUM,
    ROOT,
    answers,
    assignments,
    chromium,
    course_id,
    exercise_of,
    free_port,
    hidden_lines,
    nbgrader_meta,
    notebook_path,
    page_text,
    reference_answers,
    solution_cells,
)

CH1 = assignments()[0]
NOTEBOOK = notebook_path(CH1).stem
PASSWORD = "hub-test-password"
USERS = ("instructor", "student1", "student2", "student3")
CHP = ROOT / "hub" / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
WRONG = next(a for a in answers(CH1) if not a.correct and "hint" in a.tags)
EXPLAINED = "A leaf is a tensor made directly, not computed; backward fills the grad of leaves."


def unavailable(reason):
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the hub test: {reason}")
    pytest.skip(reason)


def prerequisites(db):
    if sys.platform != "linux" or os.geteuid() != 0:
        unavailable("the hub runs as root (it makes accounts and runs their servers)")
    if not (CHROMIUM and CHROMEDRIVER):
        unavailable("no chromium/chromedriver: run `make system-deps` (Debian) to install them")
    if not os.access(CHP, os.X_OK):
        unavailable("no configurable-http-proxy: run `make hub-deps`")
    if db == "postgresql" and not (
        shutil.which("initdb") or list(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    ):
        unavailable("no PostgreSQL server: run `make hub-deps`")


class Hub:
    def __init__(self, db):
        self.db, self.port = db, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Under the repository, as `make hub`'s .hub/: every user must traverse it (not /tmp's
        # pytest folders, which are root's alone).
        self.state = Path(tempfile.mkdtemp(prefix=".hub-test-", dir=ROOT))
        self.state.chmod(0o755)
        self.home = {user: self.state / "home" / user for user in USERS}
        self.course = self.home["instructor"] / "course"
        self.log = self.state / "demo.log"

    @property
    def db_url(self):
        """The course's gradebook, as the course's nbgrader_config.py names it."""
        from traitlets.config.loader import PyFileConfigLoader

        path = str(self.course / "nbgrader_config.py")
        return PyFileConfigLoader(path).load_config().CourseDirectory.db_url

    def log_tail(self):
        return self.log.read_text(encoding="utf-8", errors="replace")[-6000:]


def ours(hub):
    """The processes of the hub's users that belong to this hub (its state in their command
    line or working folder): single-user servers, kernels, the service, PostgreSQL."""
    import psutil

    uids = {pwd.getpwnam(u).pw_uid for u in USERS if _exists(u)}
    found = []
    for proc in psutil.process_iter(["uids", "cmdline", "cwd"]):
        info = proc.info
        if info["uids"] is None or info["uids"].real not in uids:
            continue
        where = " ".join(info["cmdline"] or []) + " " + (info["cwd"] or "")
        if str(hub.state) in where:
            found.append(proc)
    return found


def _exists(user):
    try:
        return pwd.getpwnam(user)
    except KeyError:
        return None


# One browser run, on PostgreSQL: the SQLite hub differs from it only in its db_url, and
# test_gradebook_postgres.py grades the same submissions on both databases, score for score.
@pytest.fixture(scope="module", params=["postgresql"])
def hub(request):
    prerequisites(request.param)
    hub = Hub(request.param)
    env = dict(os.environ, HUB_DEMO_PASSWORD=PASSWORD, HUB_POLL_SECONDS="2")
    command = [sys.executable, ROOT / "hub" / "demo.py", "--state", hub.state,
               "--port", str(hub.port), "--db", hub.db, "--assignment", CH1]  # fmt: skip
    with open(hub.log, "wb") as log:
        demo = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 240
        while "JupyterHub is at" not in hub.log_tail():
            if demo.poll() is not None:
                pytest.fail(f"make hub exited {demo.returncode}:\n{hub.log_tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"make hub did not serve within 240 s:\n{hub.log_tail()}")
            time.sleep(1)
        yield hub
    finally:
        demo.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            demo.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait(timeout=30)
        left = ours(hub)
        for proc in left:
            with contextlib.suppress(ProcessLookupError):  # it may end on its own meanwhile
                os.kill(proc.pid, signal.SIGKILL)
        log = hub.log_tail()
        shutil.rmtree(hub.state)
        assert not left, f"Ctrl-C left {[p.cmdline() for p in left]} running:\n{log}"


@pytest.fixture
def browsers(tmp_path):
    """A function that starts a fresh headless Chromium (its own profile); all quit after."""
    started = []

    def start():
        driver = chromium(tmp_path / f"profile-{len(started)}")
        started.append(driver)
        return driver

    yield start
    for driver in started:
        driver.quit()


def wait_for(driver, condition, what, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(condition)
        if value:
            return value
        time.sleep(0.5)
    driver.save_screenshot(str(ROOT / f".pytest-hub-{what.replace(' ', '-')}.png"))
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


def log_in(driver, hub, user):
    driver.get(f"{hub.url}/hub/login")
    driver.find_element("id", "username_input").send_keys(user)
    driver.find_element("id", "password_input").send_keys(PASSWORD)
    driver.find_element("id", "login_submit").click()
    wait_for(
        driver,
        "return [...document.querySelectorAll('.lm-MenuBar-itemLabel')]"
        ".some(e => e.innerText === 'Nbgrader')",
        f"{user}'s JupyterLab with nbgrader",
    )


def click(driver, selector, text, what):
    """Click the element matching `selector` whose text is `text`, once there is one."""
    wait_for(
        driver,
        f"const e = [...document.querySelectorAll({json.dumps(selector)})]"
        f".find(e => e.innerText.trim() === {json.dumps(text)}); if (e) e.click(); return !!e",
        what,
    )


def open_assignments(driver):
    """Nbgrader > Assignment List: the Assignments tab (real clicks: Lumino menus want them)."""
    for kind, label in (("MenuBar", "Nbgrader"), ("Menu", "Assignment List")):
        path = f"//div[contains(@class, 'lm-{kind}-itemLabel')][text()={label!r}]"
        driver.find_element("xpath", path).click()
    wait_for(driver, "return !!document.querySelector('#released_assignments_list')", "the tab")


def fetch(driver, hub, user):
    log_in(driver, hub, user)
    open_assignments(driver)
    click(driver, "#released_assignments_list button", "Fetch", f"{CH1} to fetch")
    wait_for(
        driver, "return !!document.querySelector('#fetched_assignments_list button')", "fetched"
    )
    return hub.home[user] / CH1 / f"{NOTEBOOK}.ipynb"


def answer(path, replacements, explanation):
    """What the student types, written into their fetched notebook (which stays theirs)."""
    nb = nbformat.read(path, as_version=4)
    for grade_id, cell in solution_cells(nb).items():
        cell.source = replacements[grade_id]
    for cell in nb.cells:
        if cell.cell_type == "markdown" and nbgrader_meta(cell).get("solution"):
            cell.source = explanation
    nbformat.write(nb, path)  # written in place: the file keeps its owner


def submit(driver):
    click(driver, "#fetched_assignments_list button", "Submit", "the Submit button")
    wait_for(
        driver,
        "return !!document.querySelector('#submitted_assignments_list .list_item')",
        "the submission in the Submitted list",
    )


def fetch_feedback(driver, hub, user, timeout=240):
    """Wait for the grading service's feedback (as the Assignments tab learns of it), fetch it
    with the tab's button; the page's text and the seconds it took."""
    started = time.monotonic()
    wait_for(
        driver,
        "const r = new XMLHttpRequest();"
        f" r.open('GET', '/user/{user}/assignments?course_id={course_id()}', false);"
        # JupyterHub wants the XSRF token of a request a page makes with its cookie.
        " r.setRequestHeader('X-XSRFToken', document.cookie.match(/_xsrf=([^;]+)/)[1]);"
        " r.send(); const a = JSON.parse(r.responseText).value"
        f".find(a => a.status === 'submitted' && a.assignment_id === {json.dumps(CH1)});"
        " return !!a && a.submissions.some(s => s.notebooks.some(n => n.has_exchange_feedback))",
        f"{user}'s feedback",
        timeout,
    )
    waited = time.monotonic() - started
    click(driver, "#submitted_assignments_list button", "Fetch Feedback", "Fetch Feedback")
    wait_for(
        driver,
        "return document.querySelector('#submitted_assignments_list').innerText"
        ".includes('view feedback')",
        f"{user}'s fetched feedback",
    )
    (page,) = (hub.home[user] / CH1 / "feedback").glob(f"*/{NOTEBOOK}.html")
    return page_text(page), waited


def gradebook(hub):
    """{student: {grade_id: (score, max_score)}} and {student: total score}."""
    from nbgrader.api import Gradebook

    with Gradebook(hub.db_url) as gb:
        subs = gb.assignment_submissions(CH1)
        cells = {
            s.student.id: {g.name: (g.score, g.max_score) for nb in s.notebooks for g in nb.grades}
            for s in subs
        }
        totals = {s.student.id: s.score for s in subs}
    return cells, totals


def as_instructor(hub, *command):
    entry = pwd.getpwnam("instructor")
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",  # nbgrader runs alembic
        "HOME": str(hub.home["instructor"]),
        "JUPYTER_CONFIG_PATH": str(hub.state / "etc" / "jupyter"),
    }
    return subprocess.run(
        command, cwd=hub.course, user=entry.pw_uid, group=entry.pw_gid, extra_groups=[],
        env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.xdist_group("hub")
def test_students_submit_and_get_feedback_the_instructor_grades_by_hand(hub, browsers):
    reference = reference_answers(CH1)
    one, two = browsers(), browsers()
    path = fetch(one, hub, "student1")
    answer(path, reference, EXPLAINED)
    one.execute_script("document.querySelector('.assignment-notebooks-link').click()")
    click(one, "#fetched_assignments_list button", "Validate", "the Validate button")
    validated = wait_for(
        one,
        "const b = [...document.querySelectorAll('#fetched_assignments_list button')]"
        ".find(b => b.innerText.trim() === 'Validate');"
        " return b && (b.classList.contains('btn-success') ? 'passed'"
        " : b.classList.contains('btn-danger') ? 'failed' : null)",
        "the validation",
        180,
    )
    assert validated == "passed", "the reference answers do not validate"
    submit(one)
    path = fetch(two, hub, "student2")
    answer(path, reference | {WRONG.function: WRONG.source()}, "Leaves are the outputs.")
    submit(two)

    pages = {}
    for user, driver in (("student1", one), ("student2", two)):
        pages[user], waited = fetch_feedback(driver, hub, user)
        print(f"[{hub.db}] {user}'s feedback was ready {waited:.0f} s after the submissions")
    cells, totals = gradebook(hub)
    code = {gid for gid in cells["student1"] if gid.startswith("test_")}
    assert code and all(cells["student1"][g][0] == cells["student1"][g][1] for g in code)
    lost = {g for g in code if cells["student2"][g][0] < cells["student2"][g][1]}
    assert lost and {exercise_of(g) for g in lost} == {WRONG.function}, cells["student2"]
    top = sum(m for _, m in cells["student1"].values())
    hidden = hidden_lines(CH1)
    for user, text in pages.items():
        assert f"(Score: {totals[user]:.1f} / {top:.1f})" in text, (user, text[:800])
        shown = [line for line in hidden if line in text]
        assert not shown, f"{user}'s feedback shows hidden tests: {shown}"
    assert WRONG.tags["hint"] in pages["student2"], "the failure message is not in the feedback"

    teacher = browsers()
    log_in(teacher, hub, "instructor")
    teacher.get(f"{hub.url}/user/instructor/formgrader/manage_submissions/{CH1}")
    wait_for(
        teacher,
        "const rows = [...document.querySelectorAll('tbody tr')].map(r => r.innerText);"
        " return ['student1', 'student2'].every(s => rows.some(r => r.includes(s)"
        " && r.includes('needs manual grading')))",
        "both submissions, awaiting manual grading, in formgrader",
        60,
    )
    teacher.get(f"{hub.url}/user/instructor/formgrader/gradebook/{CH1}/{NOTEBOOK}")
    link = wait_for(
        teacher,
        "const a = [...document.querySelectorAll('tbody tr a')]"  # names hidden: textContent
        ".find(a => a.textContent.trim() === 'student1'); return a && a.href",
        "student1's submission in Manual Grading",
        60,
    )
    teacher.get(link)
    wait_for(teacher, "return !!document.querySelector('input.score#explain_leaves')", "the form")
    deadline = time.monotonic() + 60
    while gradebook(hub)[1]["student1"] != top:
        assert time.monotonic() < deadline, "formgrader did not save the manual grade"
        # formgrader saves a grade when its field changes and loses focus; on a loaded
        # machine its handlers may bind after the first keys, so type it again until saved.
        score = teacher.find_element("css selector", "input.score#explain_leaves")
        score.clear()
        score.send_keys("1\t")
        time.sleep(3)

    as_instructor(
        hub, str(Path(sys.executable).parent / "nbgrader"), "export", "--to", "grades.csv"
    )
    with open(hub.course / "grades.csv", encoding="utf-8") as f:
        rows = {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}
    assert rows["student1"] == top and rows["student2"] == totals["student2"], rows
