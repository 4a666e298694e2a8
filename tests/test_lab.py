"""What `make lab` gives students and instructors: a real JupyterLab with nbgrader in it."""

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from coursekit import (
    CHROMEDRIVER,
    CHROMIUM,
    RELEASE,
    ROOT,
    SOURCE,
    assignments,
    chromium,
    free_port,
    notebook_path,
    reference_answers,
    solution_cells,
)
from nbclient import NotebookClient

from autograder.cells import nbgrader_meta
from autograder.config import venv_path

BIN = Path(sys.executable).parent


@contextlib.contextmanager
def running_lab(root, runtime_dir):
    """A real JupyterLab server on a free loopback port, serving `root`; yields (url, token)."""
    port, token = free_port(), "course-test-token"
    # Render every cell (no windowing), so that the page holds the whole notebook.
    settings = Path(runtime_dir) / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    env = dict(
        os.environ,
        JUPYTER_RUNTIME_DIR=str(runtime_dir),
        JUPYTERLAB_SETTINGS_DIR=str(Path(runtime_dir) / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(Path(runtime_dir) / "workspaces"),
        PATH=venv_path(),  # as `make lab` does: nbgrader needs alembic
    )
    proc = subprocess.Popen(
        [BIN / "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--LabApp.expose_app_in_browser=True",
         *(["--allow-root"] if os.geteuid() == 0 else [])],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"jupyter lab exited: {proc.stderr.read().decode()[-2000:]}")
                if time.monotonic() > deadline:
                    pytest.fail("jupyter lab did not answer within 60 s")
                time.sleep(0.5)
        yield base, token
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with running_lab(ROOT, tmp_path_factory.mktemp("runtime")) as server:
        yield server


def _get(lab, path):
    base, token = lab
    request = urllib.request.Request(f"{base}{path}", headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=20) as r:
        return r.status, r.read().decode()


@pytest.mark.slow
def test_lab_serves_the_course_with_nbgrader(lab):
    status, page = _get(lab, "/lab")
    assert status == 200 and "JupyterLab" in page
    status, body = _get(lab, "/formgrader/manage_assignments")
    assert status == 200 and "Manage Assignments" in body, "the formgrader server extension is off"
    status, body = _get(lab, "/formgrader/api/assignments")
    assert any(a["name"] == assignments()[0] for a in json.loads(body)), body[:500]
    status, body = _get(lab, "/api/kernelspecs")
    assert "python3" in json.loads(body)["kernelspecs"]
    status, body = _get(lab, f"/api/contents/release/{assignments()[0]}")
    assert any(f["name"].endswith(".ipynb") for f in json.loads(body)["content"])


@pytest.mark.slow
def test_nbgrader_lab_extension_is_enabled():
    out = subprocess.run([BIN / "jupyter", "labextension", "list"], capture_output=True, text=True)
    line = next((ln for ln in (out.stdout + out.stderr).splitlines() if "nbgrader" in ln), "")
    assert "enabled" in line and "OK" in line, out.stdout + out.stderr


@pytest.mark.slow
@pytest.mark.parametrize("assignment", assignments())
def test_release_notebook_runs_top_to_bottom_for_a_student(assignment):
    """A student who runs everything sees errors only where an exercise awaits an answer."""
    nb = nbformat.read(notebook_path(assignment, RELEASE), 4)
    NotebookClient(nb, timeout=300, allow_errors=True, kernel_name="python3").execute(
        cwd=str(RELEASE / assignment)
    )
    for i, cell in enumerate(nb.cells):
        meta = nbgrader_meta(cell)
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        stderr = [o for o in cell.get("outputs", []) if o.get("name") == "stderr"]
        if meta.get("solution") or meta.get("grade"):
            for err in errors:
                assert err.ename == "NotImplementedError", f"cell {i}: {err.ename}: {err.evalue}"
        else:
            assert not errors, f"lesson cell {i} fails: {errors[0].ename}: {errors[0].evalue}"
            assert not stderr, f"lesson cell {i} writes to stderr: {stderr[0].text[:500]}"


@pytest.fixture
def browser(tmp_path):
    if not (CHROMIUM and CHROMEDRIVER):
        if os.environ.get("CI"):
            pytest.fail("CI needs chromium and chromium-driver: `make system-deps` installs them")
        pytest.skip("no chromium/chromedriver: run `make system-deps` (Debian) to install them")
    driver = chromium(tmp_path / "profile")
    driver.set_script_timeout(120)
    yield driver
    driver.quit()


def _wait_for(driver, condition, what, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(condition)
        if value:
            return value
        time.sleep(0.5)
    driver.save_screenshot(str(ROOT / f".pytest-{what.replace(' ', '-')}.png"))
    pytest.fail(f"timed out waiting for {what}")


def _validate(driver):
    """Press nbgrader's Validate button; return the result dialog's text once it is closed."""
    driver.execute_script(
        "const b = window.jupyterapp.shell.currentWidget.node.querySelector('.validate-button');"
        " (b.querySelector('jp-button, button') || b).click()"
    )
    text = _wait_for(
        driver,
        "const d = document.querySelector('.jp-Dialog');"
        " return d && d.innerText.includes('Validation Results') ? d.innerText : null",
        "the validation dialog",
    )
    driver.execute_script("document.querySelector('.jp-Dialog .jp-mod-accept').click()")
    _wait_for(driver, "return document.querySelector('.jp-Dialog') === null", "the dialog to close")
    return text


def _open(driver, base, token, path):
    driver.get(f"{base}/lab/tree/{path}?token={token}")
    _wait_for(
        driver,
        "const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
        f" if (!w || !w.context || w.context.path !== {json.dumps(path)}) return false;"
        " const k = w && w.sessionContext && w.sessionContext.session"
        " && w.sessionContext.session.kernel;"
        " return document.querySelectorAll('.jp-Notebook .jp-Cell').length > 10"
        " && document.querySelector('.validate-button') !== null"
        " && !!k && k.connectionStatus === 'connected' && k.status === 'idle'",
        "the notebook, its Validate button and an idle kernel",
    )


def _first_printed_line(path):
    """The first line a lesson cell prints, as nbval's golden output records it."""
    for cell in nbformat.read(path, 4).cells:
        for out in cell.get("outputs", []):
            if out.get("name") == "stdout" and out.text.strip():
                return out.text.strip().splitlines()[0]
    raise AssertionError(f"{path} prints nothing before its first exercise")


@pytest.mark.slow
@pytest.mark.browser
def test_student_runs_and_validates_chapter_1_in_a_real_browser(browser, tmp_path):
    """What a student does: open the release, run all, validate blank, solve, validate again."""
    assignment = assignments()[0]
    release_nb = notebook_path(assignment, RELEASE)
    work = tmp_path / "course" / assignment
    shutil.copytree(release_nb.parent, work)
    solved = nbformat.read(release_nb, 4)
    answers = reference_answers(assignment)
    for gid, cell in solution_cells(solved).items():
        cell.source = answers[gid]
    for cell in solved.cells:
        if cell.cell_type == "markdown" and nbgrader_meta(cell).get("solution"):
            cell.source = "A leaf is a tensor made directly, not computed; backward fills leaves."
    nbformat.write(solved, work / f"solved-{release_nb.name}")

    with running_lab(tmp_path / "course", tmp_path / "runtime") as (base, token):
        _open(browser, base, token, f"{assignment}/{release_nb.name}")
        browser.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        text = _wait_for(
            browser,
            "const outs = [...document.querySelectorAll('.jp-Notebook .jp-OutputArea-output')];"
            " const t = outs.map(o => o.innerText).join('\\n');"
            " return t.includes('NotImplementedError') ? t : null",
            "the run to reach the first exercise",
        )
        lesson = _first_printed_line(notebook_path(assignment, SOURCE))
        assert lesson in text, f"the first lesson demo does not show {lesson!r}"
        images = browser.execute_script(
            "return document.querySelectorAll('.jp-OutputArea-output img').length"
        )
        assert images >= 1, "the computation-graph picture is not shown"
        browser.execute_script(
            "document.querySelector('.jp-OutputArea-output img').scrollIntoView()"
        )
        browser.save_screenshot(str(tmp_path / "run-all.png"))

        dialog = _validate(browser)
        assert "NotImplementedError" in dialog, dialog[:2000]
        assert "Success" not in dialog

        _open(browser, base, token, f"{assignment}/solved-{release_nb.name}")
        dialog = _validate(browser)
        assert "Success! Your notebook passes all the tests." in dialog, dialog[:2000]
