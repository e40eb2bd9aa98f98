"""Boston housing prices (Keras's `boston_housing.npz`): 506 rows of 13 features."""

from __future__ import annotations

import numpy as np

from strata.datasets._split import check_test_split, shuffled_split
from strata.datasets._tabular import load_npz_pair

FILENAME = "boston_housing.npz"
ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/boston_housing.npz"
SHA256 = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path=None, test_split=0.2, seed=113):
    """Loads the Boston housing regression data, shuffled and split as Keras does.

    The file (Keras's `boston_housing.npz`, arrays `x` of shape `(506, 13)` and `y` of shape
    `(506,)`) is read from `path` (the file or its folder), else `$STRATA_DATASETS_DIR/
    boston_housing/`, else strata's cache, where it is downloaded once. Its SHA-256 is checked
    before it is parsed, and it is read without pickle.

    Args:
        path: The `.npz` file or its folder; `None` for the default places.
        test_split: Fraction of the rows kept for testing, in [0, 1).
        seed: Seed of the row shuffle before the split.

    Returns:
        `(x_train, y_train), (x_test, y_test)` as float64 arrays (404 and 102 rows).

    Example:
        >>> from strata.datasets import boston_housing
        >>> (x_train, y_train), _ = boston_housing.load_data()  # doctest: +SKIP
        >>> x_train.shape  # doctest: +SKIP
        (404, 13)
    """
    test_split = check_test_split(test_split)
    x, y = load_npz_pair("boston_housing", FILENAME, ORIGIN, SHA256, path, features=13)
    return shuffled_split(np.asarray(x), np.asarray(y), test_split, seed)
