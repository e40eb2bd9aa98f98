"""scikit-learn's bundled 8x8 handwritten digits: a real dataset that needs no download."""

from __future__ import annotations

import numpy as np


def load_data(test_split=0.2, seed=0):
    """Loads the 1,797 8x8 digit images that ship with scikit-learn, split in two.

    The split is stratified (each part keeps the ten classes' proportions) and reproducible
    for a given `seed`; it uses scikit-learn's `train_test_split`.

    Args:
        test_split: Fraction of the images for the test part, strictly between 0 and 1.
        seed: Seed of the split.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: float32 images of shape `(n, 8, 8)` with
        values from 0 to 16, and int64 labels 0-9 of shape `(n,)`.

    Raises:
        ImportError: When scikit-learn is not installed.
        ValueError: For a `test_split` outside (0, 1).

    Example:
        >>> from strata.datasets import digits
        >>> (x_train, y_train), (x_test, y_test) = digits.load_data(test_split=0.2)
        >>> x_train.shape, x_test.shape
        ((1437, 8, 8), (360, 8, 8))
    """
    if not 0.0 < float(test_split) < 1.0:
        raise ValueError(f"test_split expected a fraction between 0 and 1; received {test_split}.")
    try:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
    except ImportError as error:
        raise ImportError(
            "strata.datasets.digits needs scikit-learn: pip install strata[extras]"
        ) from error
    bunch = load_digits()
    images = bunch.images.astype(np.float32)
    labels = bunch.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=test_split, random_state=seed, stratify=labels
    )
    return (x_train, y_train), (x_test, y_test)
