"""Keras's shuffled train/test split of the single-array datasets (boston, california, reuters)."""

from __future__ import annotations

import numpy as np


def check_test_split(test_split) -> float:
    if isinstance(test_split, bool) or not isinstance(test_split, (int, float)):
        raise ValueError(f"test_split expected a number in [0, 1); received {test_split!r}.")
    if not 0 <= test_split < 1:
        raise ValueError(f"test_split expected a number in [0, 1); received {test_split}.")
    return float(test_split)


def shuffled_split(x, y, test_split, seed):
    """Shuffle rows with NumPy's RandomState(seed) and cut at `(1 - test_split)`, as Keras."""
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    cut = int(len(x) * (1 - test_split))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])
