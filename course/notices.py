"""Warnings become short notes on stdout, so a harmless one never costs a test its points.

nbgrader scores a test cell 0 as soon as anything reaches stderr, and torch warns on idioms
that give right answers (`float(t)` of a tensor that requires grad, `torch.tensor(t)` of a
tensor). Importing the course installs `show` as `warnings.showwarning`: every warning that
the filters let through, from the student's code or from torch's own, is printed on stdout
with what it means and the clean idiom, and remembered for the cell that raised it. A check
that fails names the warnings of its cell (`raised_here`), because sometimes the warning is
the mistake: a non-leaf's `.grad` read as if it were filled.

UserWarnings are let through every time (not once per line of code), so a warning raised by a
hidden test's call is seen even when a visible test made the same one; each distinct warning
is printed once per cell.
"""

import re
import sys
import warnings
from dataclasses import dataclass

__tracebackhide__ = True


@dataclass(frozen=True)
class Known:
    """A warning the course can explain: its text, what it means, and the clean idiom."""

    pattern: str
    meaning: str
    idiom: str


KNOWN = [
    Known(
        r"Converting a tensor with requires_grad=True to a scalar",
        "float(t) or int(t) of a tensor that requires grad: the number is right, but it is "
        "cut off from the graph",
        "t.item(), or float(t.detach())",
    ),
    Known(
        r"To copy construct from a tensor",
        "torch.tensor(t) of a tensor copies its values (and drops its graph)",
        "t.detach().clone(), then .to(dtype) or .requires_grad_() as needed",
    ),
    Known(
        r"\.grad attribute of a Tensor that is not a leaf",
        ".grad of a non-leaf tensor was read: backward fills .grad only on leaves, so it is None",
        "read the leaf's .grad, or call t.retain_grad() before backward",
    ),
    Known(
        r"Using a target size .* that is different to the input size",
        "the loss broadcast a prediction and a target of different shapes, so it compared "
        "every prediction with every target",
        "give both the same shape: pred.squeeze(1), or target.unsqueeze(1)",
    ),
    Known(
        r"backward\(\) with create_graph=True will create a reference cycle",
        "backward(create_graph=True) records the backward pass itself, which is only needed "
        "for gradients of gradients",
        "torch.autograd.grad(..., create_graph=True) when you need them; plain backward() or "
        "backward(retain_graph=True) otherwise",
    ),
]


@dataclass(frozen=True)
class Caught:
    """One warning, the cell it was raised in, and the course's explanation if it has one."""

    cell: object
    category: str
    message: str
    known: Known | None

    def note(self):
        text = _first_sentence(self.message) if self.known else self.message
        lines = [f"note: {self.category}: {text}"]
        if self.known:
            lines.append(f"  what it means: {self.known.meaning}")
            lines.append(f"  clean idiom: {self.known.idiom}")
        lines.append("  (shown on stdout by the course: a warning alone costs no points)")
        return "\n".join(lines)

    def summary(self):
        meaning = f" ({self.known.meaning})" if self.known else ""
        return f"{self.category}: {_first_sentence(self.message)}{meaning}"


class Log:
    """The warnings seen lately; kept in one object so its identity never changes."""

    LIMIT = 50

    def __init__(self):
        self.caught = []

    def add(self, caught):
        self.caught = self.caught[-self.LIMIT :] + [caught]

    def clear(self):
        self.caught = []


LOG = Log()


def current_cell():
    """The running cell's execution count under IPython; None elsewhere."""
    shell = sys.modules.get("IPython") and sys.modules["IPython"].get_ipython()
    return getattr(shell, "execution_count", None)


def explain(message):
    return next((k for k in KNOWN if re.search(k.pattern, message)), None)


def show(message, category, filename, lineno, file=None, line=None):
    """`warnings.showwarning` of the course: a note on stdout instead of text on stderr."""
    if file is not None and file is not sys.stderr:
        file.write(warnings.formatwarning(message, category, filename, lineno, line))
        return
    text = str(message).split(" (Triggered internally at")[0].strip()
    caught = Caught(current_cell(), category.__name__, text, explain(text))
    if caught not in LOG.caught:  # each distinct warning once per cell
        LOG.add(caught)
        print(caught.note(), file=sys.stdout, flush=True)


def raised_here():
    """The distinct warnings raised in the running cell (all recent ones outside IPython)."""
    cell = current_cell()
    return list(dict.fromkeys(c for c in LOG.caught if c.cell == cell))


def install():
    """Route warnings through `show`; idempotent."""
    if warnings.showwarning is not show:
        warnings.showwarning = show
    # Appended, so a library's own "ignore this warning" filters still come first.
    warnings.filterwarnings("always", category=UserWarning, append=True)


def _first_sentence(text):
    return re.split(r"(?<=\.)\s", text, maxsplit=1)[0]
