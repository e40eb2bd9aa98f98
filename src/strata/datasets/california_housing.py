"""California housing prices (Keras's `california_housing.npz`): 20,640 rows of 8 features."""

from __future__ import annotations

from strata.datasets._split import check_test_split, shuffled_split
from strata.datasets._tabular import load_npz_pair

FILENAME = "california_housing.npz"
ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/california_housing.npz"
SHA256 = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"
SMALL_ROWS = 600


def load_data(version="large", path=None, test_split=0.2, seed=113):
    """Loads the California housing regression data, shuffled and split as Keras does.

    Found, checksummed and read like `boston_housing.load_data` (folder `california_housing`).

    Args:
        version: `"large"` (all 20,640 rows) or `"small"` (the first 600, for quick runs).
        path: The `.npz` file or its folder; `None` for the default places.
        test_split: Fraction of the rows kept for testing, in [0, 1).
        seed: Seed of the row shuffle before the split.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: features `(n, 8)` and median house values.

    Example:
        >>> from strata.datasets import california_housing
        >>> (x_train, _), _ = california_housing.load_data(version="small")  # doctest: +SKIP
        >>> x_train.shape  # doctest: +SKIP
        (480, 8)
    """
    if version not in ("large", "small"):
        raise ValueError(f"version expected 'large' or 'small'; received {version!r}.")
    test_split = check_test_split(test_split)
    x, y = load_npz_pair("california_housing", FILENAME, ORIGIN, SHA256, path, features=8)
    if version == "small":
        x, y = x[:SMALL_ROWS], y[:SMALL_ROWS]
    return shuffled_split(x, y, test_split, seed)
