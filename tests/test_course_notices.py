"""Warnings reach students as notes on stdout, never stderr; failures hide the course frames."""

import re
import warnings

import nbformat
import pytest
import torch
from nbclient import NotebookClient

from course import CheckFailure, check, notices


@pytest.fixture(autouse=True)
def fresh_log():
    notices.LOG.clear()
    with warnings.catch_warnings():
        warnings.resetwarnings()
        notices.install()
        yield
    notices.LOG.clear()


def test_a_known_warning_is_a_note_on_stdout_with_its_meaning_and_idiom(capsys):
    float((torch.ones(2, requires_grad=True) * 2).sum())
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith("note: UserWarning: Converting a tensor with requires_grad=True")
    assert "clean idiom: t.item()" in out and "costs no points" in out


def test_an_unknown_warning_is_shown_whole_and_each_warning_once(capsys):
    for _ in range(3):
        warnings.warn("something odd happened. More text.", UserWarning, stacklevel=1)
        torch.tensor(torch.ones(2))
    out, err = capsys.readouterr()
    assert err == ""
    assert out.count("note: UserWarning: something odd happened. More text.") == 1
    assert out.count("To copy construct from a tensor") == 1
    assert "detach().clone()" in out


def test_a_failure_names_the_warning_its_cell_raised():
    def student_grad(x):
        y = x * 2
        (y * y).sum().backward()
        return y.grad  # the mistake: a non-leaf's .grad, which warns and is None

    with pytest.raises(CheckFailure) as info:
        check(student_grad(torch.ones(2, requires_grad=True)), torch.full((2,), 8.0), "grad")
    assert "your code warned while this test ran" in str(info.value)
    assert "not a leaf" in str(info.value)


def test_an_explicit_file_is_honoured(tmp_path):
    target = tmp_path / "log.txt"
    with target.open("w") as f:
        warnings.showwarning("to a file", UserWarning, "x.py", 1, file=f)
    assert "to a file" in target.read_text()
    assert notices.LOG.caught == []


def test_install_is_idempotent():
    before = list(warnings.filters)
    notices.install()
    assert warnings.filters == before and warnings.showwarning is notices.show


KERNEL_CELLS = [
    "import torch\nfrom course import check",
    # a right answer written with two idioms that warn
    "def total(values):\n"
    "    x = torch.tensor(values, dtype=torch.float32, requires_grad=True)\n"
    "    return float((x * 2).sum())",
    "check(total(torch.ones(3)), 6.0, 'total(ones(3))')",
    "check(torch.ones(4) * 4, torch.ones(4), 'sum against mean')",
]


@pytest.mark.slow
def test_in_a_kernel_warnings_are_notes_and_failures_show_the_test_line():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in KERNEL_CELLS]
    NotebookClient(nb, timeout=120, allow_errors=True, kernel_name="python3").execute()
    outputs = [cell.outputs for cell in nb.cells]
    passing, failing = outputs[2], outputs[3]
    assert {o.name for o in passing} == {"stdout"}, passing
    text = "".join(o.text for o in passing)
    assert "note: UserWarning: To copy construct" in text
    assert "note: UserWarning: Converting a tensor" in text
    (error,) = failing
    traceback = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(error.traceback))
    assert "sum against mean" in traceback and "number of entries" in traceback
    assert "check(torch.ones(4) * 4" in traceback
    assert "checks.py" not in traceback and "_check_tensor" not in traceback, traceback
