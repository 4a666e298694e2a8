"""What `make lab` gives students and instructors: a real JupyterLab with nbgrader in it."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from coursekit import RELEASE, ROOT, assignments, nbgrader_meta, notebook_path
from nbclient import NotebookClient

BIN = Path(sys.executable).parent


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    port, token = _free_port(), "course-test-token"
    env = dict(
        os.environ,
        JUPYTER_RUNTIME_DIR=str(tmp_path_factory.mktemp("runtime")),
        PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}",  # as `make lab` does: nbgrader needs alembic
    )
    proc = subprocess.Popen(
        [BIN / "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT}",
         *(["--allow-root"] if os.geteuid() == 0 else [])],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited: {proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("jupyter lab did not answer within 60 s")
    yield base, token
    proc.terminate()
    proc.wait(timeout=20)


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
