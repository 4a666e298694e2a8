"""The check helper: silent on right answers, precise on wrong ones."""

import warnings

import numpy as np
import pytest
import torch

from course import CheckFailure, check, check_members, check_unchanged, expect, fmt, snapshot

G = torch.tensor([[1.0, 2.0], [3.0, 4.0]])


def failure(*args, **kwargs):
    with pytest.raises(CheckFailure) as info:
        check(*args, **kwargs)
    return str(info.value)


def test_equal_values_pass_silently(capsys):
    check(G.clone(), G, "g")
    check(G.double(), G, "g in float64")  # dtype is only checked when asked for
    check(G + 1e-7, G, "g within tolerance")
    check(2.0, 2.0, "a float")
    check([G, 1.0], [G.clone(), 1.0], "a list")
    assert capsys.readouterr() == ("", "")


def test_message_names_what_expected_and_actual():
    msg = failure(torch.tensor([1.0, 5.0]), torch.tensor([1.0, 2.0]), "f(x)")
    assert msg.startswith("f(x): wrong values")
    assert "expected: tensor([1.0, 2.0]" in msg
    assert "actual:   tensor([1.0, 5.0]" in msg


def test_floats_print_as_floats_and_integers_as_integers():
    assert fmt(torch.tensor([1.0, 2.5])).startswith("tensor([1.0, 2.5]")
    assert fmt(torch.tensor([1, 2])).startswith("tensor([1, 2]")
    assert fmt(2.0) == "2.0" and fmt(1e20) == "1e+20" and fmt(float("nan")) == "nan"


@pytest.mark.parametrize("k", [2, 3, 7])
def test_a_whole_factor_is_stated_not_guessed(k):
    msg = failure(k * G, G, "w.grad")
    assert f"exactly {k} times the expected one" in msg
    assert "accumulated" not in msg


def test_a_factor_equal_to_the_number_of_entries_is_sum_against_mean():
    msg = failure(4 * G, G, "blitz_grad(x)")
    assert "4 is the number of entries" in msg and "sum where a mean" in msg
    assert "accumulated" not in msg


def test_a_factor_the_test_knows_is_named():
    msg = failure(3.0 * 5, 5.0, "loss", factors={"the number of steps": 3})
    assert "exactly 3 times" in msg and "the number of steps" in msg
    msg = failure(G / 8, G, "g", factors={"the batch size": 8})
    assert "1/8 of the expected one, and 8 is the batch size" in msg


def test_a_scalar_mismatch_gets_no_ratio_hint():
    for actual in (2.0, 0.5, 3.7, 0.0):
        assert "hint" not in failure(actual, 1.0, "loss"), actual
    assert "hint" not in failure(torch.tensor(8.0), torch.tensor(2.0), "loss")


def test_a_huge_ratio_is_not_a_count():
    msg = failure(G * 4.3e17, G, "x after diverging")
    assert "times the expected one" in msg and "exactly" not in msg


def test_a_power_of_two_fraction_is_stated_without_a_diagnosis():
    wide = torch.arange(1.0, 10.0)
    msg = failure(wide / 16, wide, "g")
    assert "1/16" not in msg and "mean" not in msg and "0.0625 times" in msg


def test_sign_flip_is_diagnosed():
    assert "opposite sign" in failure(-G, G, "step")


def test_transpose_is_diagnosed_for_square_and_other_shapes():
    assert "transpose" in failure(G.T.contiguous(), G, "J")
    wide = torch.arange(6.0).reshape(2, 3)
    msg = failure(wide.T, wide, "J")
    assert "expected shape (2, 3), got (3, 2)" in msg and "transposed" in msg


def test_none_where_a_gradient_was_expected():
    msg = failure(None, G, "x.grad")
    assert "got None" in msg and "not a leaf" in msg and "backward was never called" in msg


def test_result_that_still_requires_grad():
    msg = failure(G.clone().requires_grad_(), G, "frozen", requires_grad=False)
    assert "still requires grad" in msg and ".detach()" in msg


def test_leaf_and_dtype_and_requires_grad_are_checked_when_asked():
    tracked = G.clone().requires_grad_()
    assert "not a leaf" in failure(tracked * 1, G, "p", leaf=True)
    assert "expected dtype torch.float32" in failure(G.double(), G, "p", dtype=torch.float32)
    assert "does not require grad" in failure(G, G, "p", requires_grad=True)


def test_known_mistakes_of_an_exercise_win_over_generic_hints():
    hint = "every batch gradient is the sum of all earlier ones: clear w.grad between batches"
    msg = failure(2 * G, G, "batch 2", mistakes={hint: 2 * G})
    assert hint in msg and "exactly 2 times" not in msg


def test_zero_and_nan_and_fraction_signatures():
    assert "all zeros" in failure(torch.zeros(2, 2), G, "g")
    assert "inf or nan" in failure(torch.full((2, 2), float("nan")), G, "g")
    assert "1/4 of the expected" in failure(G / 4, G, "g")


def test_numbers_and_tensors_are_not_confused():
    assert ".item()" in failure(torch.tensor(2.0), 2.0, "x as a float")
    assert "expected a torch.Tensor, got ndarray" in failure(np.ones((2, 2)), G, "g")
    assert "expected a number" in failure("2.0", 2.0, "x")
    assert "opposite sign" in failure(-3.0, 3.0, "x")


def test_sequences_report_the_failing_item():
    msg = failure([G, G], [G, 2 * G], "grads")
    assert msg.startswith("grads[1]:")
    assert "expected 2 items, got 1" in failure([G], [G, G], "grads")


def test_check_reads_no_non_leaf_grad_and_prints_no_warning():
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        before = snapshot(y)
        check_unchanged(before, "y")
        check(y, torch.tensor([2.0, 2.0]), "y")


def test_patched_torch_functions_do_not_fool_check(monkeypatch):
    monkeypatch.setattr(torch, "allclose", lambda *a, **k: True)
    monkeypatch.setattr(torch.testing, "assert_close", lambda *a, **k: None)
    with pytest.raises(CheckFailure):
        check(torch.zeros(2), torch.ones(2), "patched")


def test_check_unchanged_sees_grad_state_values_and_grad():
    x = torch.ones(3)
    before = snapshot(x)
    x.requires_grad_()
    with pytest.raises(CheckFailure, match="it now requires grad"):
        check_unchanged(before, "x")

    w = torch.ones(3, requires_grad=True)
    before = snapshot(w)
    (w * 2).sum().backward()
    with pytest.raises(CheckFailure, match="its .grad is different"):
        check_unchanged(before, "w")

    v = torch.ones(3)
    before = snapshot(v)
    v.add_(1)
    with pytest.raises(CheckFailure, match="values are different"):
        check_unchanged(before, "v")

    arr = np.zeros(2)
    before = snapshot(arr)
    arr[0] = 1
    with pytest.raises(CheckFailure, match="values are different"):
        check_unchanged(before, "arr")


def test_check_members_compares_identity_in_any_order():
    a, b = torch.ones(1), torch.ones(1)
    names = {"a": a, "b": b}
    check_members([b, a], [a, b], "leaves", names)
    with pytest.raises(CheckFailure, match="a is listed more than once"):
        check_members([a, a, b], [a, b], "leaves", names)
    with pytest.raises(CheckFailure, match="missing b") as info:
        check_members([a], [a, b], "leaves", names)
    assert "next_functions" in str(info.value)
    with pytest.raises(CheckFailure, match="unexpected b"):
        check_members([a, b], [a], "leaves", names)
    with pytest.raises(CheckFailure, match="expected tensors, found a str"):
        check_members(["a"], [a], "leaves", names)
    with pytest.raises(CheckFailure, match="expected a list"):
        check_members(None, [a], "leaves", names)


def test_expect_and_fmt():
    expect(True, "x", "never shown")
    with pytest.raises(CheckFailure, match="x: is wrong\n  hint: do this"):
        expect(False, "x", "is wrong", "do this")
    assert fmt(torch.ones(2, requires_grad=True)) == (
        "tensor([1.0, 1.0], shape=(2,), dtype=float32, requires_grad=True)"
    )
    assert fmt(torch.arange(20.0)).endswith("...], shape=(20,), dtype=float32)")
    assert fmt(0.1234567) == "0.123457"


class AlwaysEqual:
    def __eq__(self, other):
        return True

    __ne__ = lambda self, other: False  # noqa: E731


class LyingFloat(float):
    def __eq__(self, other):
        return True


class Sneaky(torch.Tensor):
    pass


def test_answers_that_fake_equality_are_refused():
    assert "expected a number, got AlwaysEqual" in failure(AlwaysEqual(), 2.0, "x")
    assert "wrong value" in failure(AlwaysEqual(), "adam", "optimizer name")
    assert "expected a number, got LyingFloat" in failure(LyingFloat(2.0), 2.0, "x")
    sneaky = torch.ones(2).as_subclass(Sneaky)
    assert "got the subclass Sneaky" in failure(sneaky, torch.ones(2), "g")
    assert "expected a list" in failure(AlwaysEqual(), [1.0], "xs")
    check(torch.nn.Parameter(torch.ones(2)), torch.ones(2), "a parameter is a plain tensor")
    check(np.float32(2.0), 2.0, "a NumPy scalar is a number")


def test_an_active_torch_function_mode_is_refused():
    from torch.overrides import TorchFunctionMode

    class Liar(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            return True if func is torch.allclose else func(*args, **(kwargs or {}))

    with Liar():
        msg = failure(torch.zeros(2), torch.zeros(2), "g")
    assert "torch function or dispatch mode is still active" in msg
    check(torch.zeros(2), torch.zeros(2), "after the mode ended")


def test_a_sequence_names_its_known_mistake_with_expected_and_actual():
    hint = "the gradients were never cleared: call opt.zero_grad() before each backward"
    msg = failure([1.0, 2.0, 4.0], [1.0, 2.0, 3.0], "losses", mistakes={hint: [1.0, 2.0, 4.0]})
    assert msg.startswith("losses: wrong values from losses[2] on")
    assert "expected: [1.0, 2.0, 3.0]" in msg and "actual:   [1.0, 2.0, 4.0]" in msg
    assert hint in msg


def test_a_right_sequence_passes_even_when_a_mistake_gives_the_same_values():
    check([1.0, 2.0], [1.0, 2.0], "losses", mistakes={"never cleared": [1.0, 2.0]})


def test_a_count_prints_as_an_integer():
    msg = failure(2, 3, "backward calls")
    assert "expected: 3\n" in msg and msg.endswith("actual:   2")


def test_a_matrix_where_a_vector_was_expected_is_a_shape_mismatch():
    msg = failure(torch.ones(2, 3), torch.ones(3), "b.grad")
    assert "expected shape (3,), got (2, 3)" in msg


def test_a_factor_the_test_names_gets_only_its_own_meaning():
    msg = failure(
        torch.tensor([2.0, 4.0]), torch.tensor([1.0, 2.0]), "g", factors={"one doubling": 2}
    )
    assert "2 is one doubling" in msg and "mean" not in msg
