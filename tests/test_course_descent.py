"""plot_descent draws the curve and the path of the iterates."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from course import plot_descent  # noqa: E402


def parabola(x):
    return x**2 - 4 * x


def test_curve_spans_the_iterates_and_the_path_has_one_point_each():
    xs = [10.0, 6.8, 4.88, 3.728]
    fig = plot_descent(parabola, xs, title="descent")
    (ax,) = fig.axes
    curve, path, start, end = ax.lines
    grid = curve.get_xdata()
    assert grid.min() <= min(xs) and grid.max() >= max(xs)
    np.testing.assert_allclose(curve.get_ydata(), parabola(grid))
    np.testing.assert_allclose(path.get_xdata(), xs)
    np.testing.assert_allclose(path.get_ydata(), parabola(np.array(xs)))
    assert start.get_xdata()[0] == xs[0] and end.get_xdata()[0] == xs[-1]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("x", "f(x)", "descent")
    assert ax.get_legend() is not None
    plt.close(fig)


def test_draws_into_a_given_axes():
    fig, (left, right) = plt.subplots(1, 2)
    assert plot_descent(parabola, [2.0], ax=right) is fig
    assert not left.lines and len(right.lines) == 4
    plt.close(fig)
