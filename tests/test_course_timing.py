"""best_time measures the fastest of several tries."""

import pytest

from course import best_time


def test_best_time_calls_the_function_repeat_times_number():
    calls = []
    seconds = best_time(lambda: calls.append(1), repeat=4, number=3)
    assert len(calls) == 12
    assert 0 <= seconds < 1


def test_best_time_is_the_shortest_try():
    import time

    delays = iter([0.05, 0.0, 0.05])
    assert best_time(lambda: time.sleep(next(delays)), repeat=3) < 0.04


def test_best_time_rejects_zero_tries():
    with pytest.raises(ValueError):
        best_time(lambda: None, repeat=0)
