"""Measure how long small computations take (for plots only: printed timings change every run)."""

import time


def best_time(fn, repeat=3, number=1):
    """The shortest wall-clock time, in seconds, of `number` calls of `fn()`, over `repeat` tries.

    The shortest try is the one least disturbed by the rest of the machine.
    """
    if repeat < 1 or number < 1:
        raise ValueError("repeat and number must be at least 1")
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, time.perf_counter() - start)
    return best
