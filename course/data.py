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
