"""One checking helper for every test cell: compare, then explain the difference.

`check(actual, expected, what=...)` passes silently or raises `CheckFailure` (an
AssertionError) whose message names what was checked, the expected and the actual
value, and a hint when the difference has the signature of a known mistake:
k times the answer (gradients accumulated k times), the negated answer, the
transpose, all zeros, `None` instead of a gradient, a result that still requires grad.
Test cells pass `mistakes={hint: wrong_value}` for mistakes specific to an exercise.

References to torch's functions are taken at import time, so a notebook that
later patches `torch.allclose` or `torch.testing.assert_close` does not change them.

A failure shows the student the test line and the message, not this module's frames
(`__tracebackhide__` for IPython and pytest, `_render_traceback_` for the raising frame), and
names the warnings the cell raised (`course.notices`): sometimes the warning is the mistake.
"""

import math
import numbers
import sys
import types
import warnings

import numpy as np
import torch

from course import notices

__tracebackhide__ = True

_allclose = torch.allclose
_as_tensor = torch.as_tensor
_no_grad = torch.no_grad
_is_tensor = torch.is_tensor
_promote = torch.promote_types
_isfinite = torch.isfinite
_function_modes = torch._C._len_torch_function_stack
_dispatch_modes = torch._C._len_torch_dispatch_stack
# Answers must be plain values: a subclass could redefine ==, __torch_function__ or .detach().
TENSOR_TYPES = (torch.Tensor, torch.nn.Parameter)
NUMBER_TYPES = (int, float, np.integer, np.floating)

RTOL, ATOL = 1e-4, 1e-6


class CheckFailure(AssertionError):
    """A test expectation that the student's answer does not meet."""

    def _render_traceback_(self):
        """IPython's traceback without the course's frames: the test line, then the message."""
        shell = sys.modules["IPython"].get_ipython()
        tb = _without_hidden_frames(self.__traceback__)
        return shell.InteractiveTB.structured_traceback(type(self), self, tb, tb_offset=0)


def _without_hidden_frames(tb):
    """A copy of the traceback chain without frames that set `__tracebackhide__`."""
    frames = []
    while tb is not None:
        hidden = tb.tb_frame.f_locals.get("__tracebackhide__") or tb.tb_frame.f_globals.get(
            "__tracebackhide__"
        )
        if not hidden:
            frames.append(tb)
        tb = tb.tb_next
    chain = None
    for t in reversed(frames):
        chain = types.TracebackType(chain, t.tb_frame, t.tb_lasti, t.tb_lineno)
    return chain


def fmt(value, limit=12):
    """A short, stable text for a value: tensors show shape, dtype and grad state."""
    if _is_tensor(value):
        t = value.detach()
        body = _fmt_numbers(t, limit)
        extras = [f"shape={tuple(t.shape)}", f"dtype={str(t.dtype).removeprefix('torch.')}"]
        if value.requires_grad:
            extras.append("requires_grad=True")
        if value.grad_fn is not None:
            extras.append(f"grad_fn={type(value.grad_fn).__name__}")
        return f"tensor({body}, {', '.join(extras)})"
    if isinstance(value, np.ndarray):
        return f"array({_fmt_numbers(torch.from_numpy(value), limit)}, dtype={value.dtype})"
    if isinstance(value, float):
        return _num(value, 6)
    if isinstance(value, list | tuple) and len(value) > limit:
        return f"{type(value).__name__} of {len(value)} items"
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."


def _fmt_numbers(t, limit):
    if t.numel() > limit:
        flat = t.flatten()[:limit].tolist()
        return "[" + ", ".join(_num(v) for v in flat) + ", ...]"
    return _nested(t.tolist())


def _nested(v):
    if isinstance(v, list):
        return "[" + ", ".join(_nested(x) for x in v) + "]"
    return _num(v)


def _num(v, digits=5):
    """A float always looks like one (1.0, not 1): the dtype lessons depend on it."""
    if not isinstance(v, float):
        return str(v)
    text = f"{v:.{digits}g}"
    return text if any(c in text for c in ".einf") else text + ".0"


def fail(what, message, expected=None, actual=None, hint=None):
    """Raise a CheckFailure laid out the same way for every check."""
    lines = [f"{what}: {message}"]
    if expected is not None:
        lines.append(f"  expected: {expected}")
    if actual is not None:
        lines.append(f"  actual:   {actual}")
    if hint:
        lines.append(f"  hint: {hint}")
    for caught in notices.raised_here():
        lines.append(f"  your code warned while this test ran: {caught.summary()}")
    raise CheckFailure("\n".join(lines))


def check(
    actual,
    expected,
    what="the result",
    *,
    rtol=RTOL,
    atol=ATOL,
    dtype=None,
    requires_grad=None,
    leaf=None,
    mistakes=None,
    factors=None,
):
    """Assert that `actual` equals `expected` (a tensor, number, list or tuple of them).

    what: names what was checked, e.g. "blitz_grad(torch.ones(2, 2))".
    dtype, requires_grad, leaf: when given, the tensor must have them.
    mistakes: {hint: value a known mistake would produce}; the matching hint is shown.
    factors: {meaning: count} the test knows (a batch size, a number of steps): a result
    that is exactly that many times (or 1/that) the expected one is explained by it.
    """
    mistakes = mistakes or {}
    _refuse_modes(what)
    if isinstance(expected, list | tuple):
        return _check_sequence(
            actual, expected, what, rtol, atol, dtype, requires_grad, mistakes, factors
        )
    if _is_tensor(expected):
        return _check_tensor(
            actual, expected, what, rtol, atol, dtype, requires_grad, leaf, mistakes, factors
        )
    if isinstance(expected, numbers.Number):
        return _check_number(actual, expected, what, rtol, atol, mistakes, factors)
    if type(actual) is not type(expected) or not expected == actual:
        fail(what, "wrong value", fmt(expected), fmt(actual), _known(actual, mistakes, rtol, atol))


def _refuse_modes(what):
    """A torch function or dispatch mode left active can intercept every comparison."""
    if _function_modes() or _dispatch_modes():
        fail(
            what,
            "a torch function or dispatch mode is still active, so no result can be checked",
            hint="leave every `with SomeMode():` block before the tests run",
        )


def _check_sequence(actual, expected, what, rtol, atol, dtype, requires_grad, mistakes, factors):
    if type(actual) not in (list, tuple):
        fail(
            what,
            f"expected a {type(expected).__name__} of {len(expected)} items",
            fmt(expected),
            fmt(actual),
        )
    if len(actual) != len(expected):
        fail(
            what,
            f"expected {len(expected)} items, got {len(actual)}",
            _fmt_items(expected),
            _fmt_items(actual),
            _known(actual, mistakes, rtol, atol),
        )
    for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
        item = f"{what}[{i}]"
        if _matches(a, e, rtol, atol) or not _known(actual, mistakes, rtol, atol):
            check(
                a, e, item, rtol=rtol, atol=atol, dtype=dtype, requires_grad=requires_grad,
                factors=factors,
            )  # fmt: skip
        else:  # the whole sequence is what a known mistake gives: say that, with both
            hint = _known(actual, mistakes, rtol, atol)
            fail(
                what, f"wrong values from {item} on", _fmt_items(expected), _fmt_items(actual), hint
            )


def _fmt_items(values, limit=12):
    """A list or tuple item by item (a float as a float, a tensor short)."""
    shown = ", ".join(fmt(v) for v in values[:limit])
    more = f", ... ({len(values)} items)" if len(values) > limit else ""
    opening, closing = ("(", ")") if isinstance(values, tuple) else ("[", "]")
    return f"{opening}{shown}{more}{closing}"


def _check_number(actual, expected, what, rtol, atol, mistakes, factors):
    if _is_tensor(actual):
        fail(
            what,
            "expected a Python number, got a tensor",
            fmt(expected),
            fmt(actual),
            "convert a one-element tensor with .item()",
        )
    if type(actual) not in NUMBER_TYPES and not isinstance(actual, NUMBER_TYPES[2:]):
        fail(what, f"expected a number, got {type(actual).__name__}", fmt(expected), fmt(actual))
    if math.isclose(float(actual), expected, rel_tol=rtol, abs_tol=atol):
        return
    hint = _known(float(actual), mistakes, rtol, atol) or _signature(
        _as_tensor(float(actual)), _as_tensor(float(expected)), rtol, atol, factors
    )
    fail(what, "wrong value", fmt(expected), fmt(actual), hint)  # an int shows as an int


def _check_tensor(
    actual, expected, what, rtol, atol, dtype, requires_grad, leaf, mistakes, factors
):
    if actual is None:
        fail(
            what,
            "expected a tensor, got None",
            fmt(expected),
            "None",
            "a .grad is None when backward was never called, when the tensor is not a leaf "
            "(call retain_grad() or read the leaf's .grad), or after it was cleared",
        )
    if not _is_tensor(actual):
        hint = "convert with torch.as_tensor(...)" if isinstance(actual, np.ndarray) else None
        fail(
            what,
            f"expected a torch.Tensor, got {type(actual).__name__}",
            fmt(expected),
            fmt(actual),
            hint,
        )
    if type(actual) not in TENSOR_TYPES:
        fail(
            what,
            f"expected a plain torch.Tensor, got the subclass {type(actual).__name__}",
            hint="return an ordinary tensor: the result of torch operations, or t.detach().clone()",
        )
    if requires_grad is False and actual.requires_grad:
        fail(
            what,
            "the result still requires grad",
            actual=fmt(actual),
            hint="return a plain tensor: .detach() it, or compute it under torch.no_grad()",
        )
    if requires_grad is True and not actual.requires_grad:
        fail(
            what,
            "the result does not require grad",
            actual=fmt(actual),
            hint="create it with requires_grad=True or call .requires_grad_() on it",
        )
    if leaf is True and not actual.is_leaf:
        fail(
            what,
            f"the result is not a leaf (grad_fn={type(actual.grad_fn).__name__})",
            actual=fmt(actual),
            hint="a leaf is created directly, not computed from a tensor that requires grad: "
            "build it from detached values, then turn on requires_grad",
        )
    if dtype is not None and actual.dtype != dtype:
        fail(what, f"expected dtype {dtype}, got {actual.dtype}", fmt(expected), fmt(actual))
    if actual.shape != expected.shape:
        hint = _known(actual, mistakes, rtol, atol)
        if not hint and actual.dim() == expected.dim() == 2 and actual.shape == expected.mT.shape:
            hint = "the shape is transposed: rows and columns are swapped"
        if not hint and actual.numel() == expected.numel():
            hint = "same number of entries, different shape: reshape to the expected shape"
        fail(
            what,
            f"expected shape {tuple(expected.shape)}, got {tuple(actual.shape)}",
            fmt(expected),
            fmt(actual),
            hint,
        )
    if _close(actual, expected, rtol, atol):
        return
    hint = _known(actual, mistakes, rtol, atol) or _signature(actual, expected, rtol, atol, factors)
    fail(what, "wrong values", fmt(expected), fmt(actual), hint)


def _close(a, b, rtol=RTOL, atol=ATOL):
    """Equal within tolerance, whatever the dtypes; NaN never equals anything."""
    with _no_grad():
        a, b = a.detach(), _as_tensor(b).detach()
        if a.shape != b.shape or a.is_complex() != b.is_complex():
            return False
        common = _promote(_promote(a.dtype, b.dtype), torch.float32)
        return bool(_allclose(a.to(common), b.to(common), rtol=rtol, atol=atol))


def _known(actual, mistakes, rtol, atol):
    """The hint of the first known mistake whose value `actual` matches."""
    for hint, wrong in mistakes.items():
        if _matches(actual, wrong, rtol, atol):
            return hint
    return None


def _matches(actual, wrong, rtol, atol):
    if wrong is None or actual is None:
        return wrong is None and actual is None
    if isinstance(wrong, list | tuple):
        return (
            isinstance(actual, list | tuple)
            and len(actual) == len(wrong)
            and all(_matches(a, w, rtol, atol) for a, w in zip(actual, wrong, strict=True))
        )
    if isinstance(actual, numbers.Number) and not isinstance(actual, bool):
        actual = _as_tensor(float(actual))
    if not _is_tensor(actual):
        return False
    return _close(actual, wrong, rtol, atol)


def _signature(actual, expected, rtol, atol, factors=None):
    """A hint from the shape of the difference alone, only where it cannot mislead.

    Facts (inf or nan, all zeros, the transpose, the opposite sign, a whole-number factor)
    are stated as facts. A factor is explained only when it is a count the test knows:
    the number of entries (a sum against a mean) or one of `factors` ({meaning: k}). A
    single number always differs from another by some factor, so scalars get no ratio hint.
    """
    with _no_grad():
        a = actual.detach().to(torch.float64)
        e = _as_tensor(expected).detach().to(torch.float64)
        if not bool(_isfinite(a).all()):
            return "the result holds inf or nan: some value overflowed or diverged"
        if e.numel() > 1 and e.abs().max() > atol and _close(a, torch.zeros_like(e), rtol, atol):
            return (
                "the result is all zeros: was the gradient cleared (zero_()) before it was read, "
                "or the update never applied?"
            )
        if e.dim() == 2 and e.shape[0] == e.shape[1] and not _close(e, e.T, rtol, atol):
            if _close(a, e.T, rtol, atol):
                return (
                    "the result is the transpose of the expected one: rows and columns are swapped"
                )
        ratio = _constant_ratio(a, e, rtol, atol)
        if ratio is None:
            return None
        if abs(ratio + 1) < 1e-6:
            return "the result is the expected one with the opposite sign"
        tol = max(rtol, 1e-6)  # a factor as exact as the comparison itself
        counts = dict(factors or {})
        if e.numel() > 1:
            counts.setdefault("the number of entries", e.numel())
        for meaning, k in counts.items():
            entries = meaning == "the number of entries"
            if k >= 2 and abs(ratio - k) <= tol * k:
                hint = f"the result is exactly {k} times the expected one, and {k} is {meaning}"
                return hint + (": a sum where a mean was wanted?" if entries else "")
            if k >= 2 and abs(ratio * k - 1) <= tol:
                hint = f"the result is exactly 1/{k} of the expected one, and {k} is {meaning}"
                return hint + (": a mean where a sum was wanted?" if entries else "")
        if e.numel() == 1:
            return None
        k = round(ratio)
        if 2 <= k <= 1000 and abs(ratio - k) <= tol * k:
            return f"every entry is exactly {k} times the expected one"
        return f"every entry is {ratio:.4g} times the expected one"


def _constant_ratio(a, e, rtol, atol):
    """actual / expected when it is one constant over every entry (None otherwise)."""
    nonzero = e.abs() > atol
    if not bool(nonzero.any()) or bool((a[~nonzero].abs() > atol).any()):
        return None
    ratios = a[nonzero] / e[nonzero]
    r = float(ratios.mean())
    if r == 0 or not math.isfinite(r) or not _close(a, e * r, rtol, atol):
        return None
    return r


class Snapshot:
    """What a test needs to tell later whether a function changed its input."""

    def __init__(self, value):
        self.value = value
        self.is_tensor = _is_tensor(value)
        if self.is_tensor:
            self.data = value.detach().clone()
            self.requires_grad = value.requires_grad
            self.grad = _leaf_grad(value)
            self.grad = None if self.grad is None else self.grad.clone()
        else:
            self.data = np.array(value, copy=True) if isinstance(value, np.ndarray) else None


def _leaf_grad(t):
    """t.grad without the warning PyTorch prints for a non-leaf (stderr costs a test its points)."""
    if not (t.is_leaf or t.retains_grad):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return t.grad


def snapshot(value):
    """Record a tensor (or array) before it is handed to a student function."""
    return Snapshot(value)


def check_unchanged(snap, what="the input"):
    """Assert that the object recorded by `snapshot` still has its values and grad state."""
    t = snap.value
    if snap.is_tensor:
        if t.requires_grad != snap.requires_grad:
            now = "requires grad" if t.requires_grad else "no longer requires grad"
            fail(
                what,
                f"was changed: it now {now}",
                hint="work on a copy (x.detach().clone()) "
                "instead of calling requires_grad_ on the caller's tensor",
            )
        grad = _leaf_grad(t)
        if (grad is None) != (snap.grad is None) or (
            grad is not None and not _close(grad, snap.grad, 0, 0)
        ):
            fail(
                what,
                "was changed: its .grad is different",
                fmt(snap.grad),
                fmt(grad),
                "the function ran backward into the caller's tensor; differentiate a copy instead",
            )
        if t.shape != snap.data.shape or not _close(t.detach(), snap.data, 0, 0):
            fail(
                what,
                "was changed: its values are different",
                fmt(snap.data),
                fmt(t),
                "an in-place operation (add_, +=, .data edits) changed the caller's tensor",
            )
    elif snap.data is not None and not np.array_equal(t, snap.data):
        fail(what, "was changed: its values are different", fmt(snap.data), fmt(t))


def expect(condition, what, message, hint=None):
    """Assert a property that is not a value comparison (is_leaf, same object, ...)."""
    if not condition:
        fail(what, message, hint=hint)


def check_members(actual, expected, what="the result", names=None):
    """Assert that `actual` holds exactly the objects of `expected`, each once, in any order.

    names: {"w": w, ...} so that the message can say which tensors are missing or extra.
    """
    names = names or {}

    def name(obj):
        return next((k for k, v in names.items() if v is obj), fmt(obj))

    if not isinstance(actual, list | tuple):
        fail(what, f"expected a list, got {type(actual).__name__}", actual=fmt(actual))
    wanted = "[" + ", ".join(name(e) for e in expected) + "]"
    got = "[" + ", ".join(name(a) for a in actual) + "]"
    strangers = [a for a in actual if not _is_tensor(a)]
    if strangers:
        fail(
            what,
            f"expected tensors, found a {type(strangers[0]).__name__}",
            wanted,
            got,
            "an AccumulateGrad node holds its leaf tensor in .variable",
        )
    repeated = [a for i, a in enumerate(actual) if any(a is b for b in actual[:i])]
    if repeated:
        fail(
            what,
            f"{name(repeated[0])} is listed more than once",
            wanted,
            got,
            "a tensor used several times appears once per use: remember the nodes already visited",
        )
    missing = [e for e in expected if not any(e is a for a in actual)]
    extra = [a for a in actual if not any(a is e for e in expected)]
    if missing or extra:
        parts = ([f"missing {', '.join(map(name, missing))}"] if missing else []) + (
            [f"unexpected {', '.join(map(name, extra))}"] if extra else []
        )
        hint = (
            (
                "the leaves can sit several levels below the output: follow next_functions "
                "all the way down"
            )
            if missing
            else None
        )
        fail(what, "; ".join(parts), wanted, got, hint)
