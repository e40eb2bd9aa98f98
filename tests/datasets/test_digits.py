import sys

import numpy as np
import pytest

from strata.datasets import digits


def test_shapes_dtypes_and_range():
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    assert x_train.shape == (1437, 8, 8) and x_test.shape == (360, 8, 8)
    assert y_train.shape == (1437,) and y_test.shape == (360,)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int64
    assert x_train.min() == 0.0 and x_train.max() == 16.0
    assert set(np.unique(y_test)) == set(range(10))


def test_split_is_stratified():
    (_, y_train), (_, y_test) = digits.load_data(test_split=0.25, seed=3)
    total = np.bincount(y_train, minlength=10) + np.bincount(y_test, minlength=10)
    expected_test = total * len(y_test) / total.sum()
    assert np.all(np.abs(np.bincount(y_test, minlength=10) - expected_test) <= 1)


def test_seed_reproducible_and_changes_split():
    (a, _), _ = digits.load_data(seed=1)
    (b, _), _ = digits.load_data(seed=1)
    (c, _), _ = digits.load_data(seed=2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("bad", [0.0, 1.0, 1.5])
def test_bad_test_split(bad):
    with pytest.raises(ValueError, match="test_split expected a fraction"):
        digits.load_data(test_split=bad)


def test_missing_sklearn_is_explained(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"pip install strata\[extras\]"):
        digits.load_data()
