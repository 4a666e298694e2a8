"""The test infrastructure itself: what make test relies on without seeing it."""

import os
import subprocess
import sys

GROUPED = """
import os, pytest

@pytest.mark.parametrize(
    "group", [pytest.param(g, marks=pytest.mark.xdist_group(g)) for g in "ab" * 10]
)
def test_record(group, request):
    name = f"{group}-{os.environ['PYTEST_XDIST_WORKER']}-{request.node.callspec.id}"
    open(name, "w").close()
"""


def test_xdist_keeps_a_group_on_one_worker(tmp_path):
    """Notebook cells share one kernel, and a chapter is graded once, only if groups hold."""
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-q",
         "-p", "no:cacheprovider", "-p", "no:nbval", "--rootdir", str(tmp_path), "test_grouped.py"],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    workers = {}
    for path in tmp_path.glob("[ab]-gw*"):
        group, worker, _ = path.name.split("-", 2)
        workers.setdefault(group, set()).add(worker)
    assert set(workers) == {"a", "b"}, f"the grouped tests did not run: {proc.stdout}"
    split = {g: sorted(w) for g, w in workers.items() if len(w) > 1}
    assert not split, f"xdist split a group across workers (pytest/xdist versions?): {split}"
