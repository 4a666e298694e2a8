"""Seeded data the lessons and tests share: the same numbers on every machine."""

import torch


def line_data(n=70, slope=0.6, noise_mean=0.5, noise_std=0.05, seed=0):
    """Points of a noisy line: x uniform on [0, 1], z = slope * x + N(noise_mean, noise_std).

    The defaults give the 70-point set of the regression lesson (float32 tensors x, z).
    """
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, generator=g)
    z = slope * x + noise_mean + noise_std * torch.randn(n, generator=g)
    return x, z


def regression_batches(num_batches=3, rows=4, d=3, seed=0):
    """A list of (X, y) mini-batches of a linear problem with d features."""
    g = torch.Generator().manual_seed(seed)
    true_w = torch.randn(d, generator=g)
    batches = []
    for _ in range(num_batches):
        X = torch.randn(rows, d, generator=g)
        y = X @ true_w + 0.1 * torch.randn(rows, generator=g)
        batches.append((X, y))
    return batches


def spirals(n_per_class=100, classes=3, noise=0.2, seed=0):
    """Points of `classes` interleaved spiral arms in the plane, one class per arm.

    Returns X, a float32 (n_per_class * classes, 2) tensor, and y, its int64 class labels,
    rows shuffled. No straight line separates two arms, so a linear model cannot fit them.
    """
    g = torch.Generator().manual_seed(seed)
    radius = torch.linspace(0.05, 1.0, n_per_class)
    arms = []
    for k in range(classes):
        angle = torch.linspace(0, 4.0, n_per_class) + 2 * torch.pi * k / classes
        angle = angle + noise * torch.randn(n_per_class, generator=g)
        arms.append(torch.stack([radius * angle.cos(), radius * angle.sin()], dim=1))
    X = torch.cat(arms)
    y = torch.arange(classes).repeat_interleave(n_per_class)
    order = torch.randperm(len(y), generator=g)
    return X[order], y[order]
