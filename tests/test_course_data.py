"""The seeded data sets: same numbers on every machine, the shapes the lessons promise."""

import torch

from course import line_data, spirals


def test_spirals_are_seeded_balanced_and_shuffled():
    X, y = spirals(n_per_class=50, classes=3, seed=4)
    assert X.shape == (150, 2) and X.dtype == torch.float32 and y.dtype == torch.int64
    assert torch.bincount(y).tolist() == [50, 50, 50]
    assert not torch.equal(y, y.sort().values), "rows should be shuffled"
    X2, y2 = spirals(n_per_class=50, classes=3, seed=4)
    assert torch.equal(X, X2) and torch.equal(y, y2)
    assert not torch.equal(X, spirals(n_per_class=50, classes=3, seed=5)[0])
    assert X.abs().max() <= 1.0 + 1e-6


def test_spirals_are_not_linearly_separable():
    """A linear classifier trained on the arms stays far from perfect; that is the point."""
    X, y = spirals()
    torch.manual_seed(0)
    linear = torch.nn.Linear(2, 3)
    opt = torch.optim.SGD(linear.parameters(), lr=0.5)
    for _ in range(150):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(linear(X), y).backward()
        opt.step()
    accuracy = (linear(X).argmax(1) == y).float().mean().item()
    assert accuracy < 0.7, accuracy


def test_line_data_defaults_match_the_lesson():
    x, z = line_data()
    assert x.shape == z.shape == (70,)
    assert abs((z - 0.6 * x).mean().item() - 0.5) < 0.03
