"""The notebooks keep the graded contract of ../shared/course-spec.md (its own checker)."""

import os
import subprocess
import sys

import pytest
from coursekit import ROOT, SHARED

SPEC_CHECK = SHARED / "spec_check.py"


def test_notebooks_match_the_course_spec():
    if not SPEC_CHECK.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must have the contract checker at {SPEC_CHECK}")
        pytest.skip(f"no {SPEC_CHECK}: the shared contract is not beside this checkout")
    proc = subprocess.run(
        [sys.executable, str(SPEC_CHECK)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0 and " 0 problem(s)" in proc.stdout, proc.stdout + proc.stderr
    assert "0 chapter(s) checked" not in proc.stdout, "spec_check found no chapter to check"
