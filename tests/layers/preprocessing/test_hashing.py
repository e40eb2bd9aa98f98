"""Hashing and HashedCrossing equal Keras 3.15's buckets (fixtures recorded with TensorFlow)."""

from pathlib import Path

import numpy as np
import pytest
import torch

import strata
from strata import layers

FIXTURES = Path(__file__).parent / "fixtures"
CASES = {
    "plain": {"num_bins": 7},
    "mask": {"num_bins": 6, "mask_value": "b"},
    "salt": {"num_bins": 9, "salt": 77},
    "salt_pair": {"num_bins": 9, "salt": [1, 2]},
    "multi_hot": {"num_bins": 5, "output_mode": "multi_hot"},
    "count": {"num_bins": 5, "output_mode": "count"},
    "one_hot": {"num_bins": 4, "output_mode": "one_hot"},
}


@pytest.fixture(scope="module")
def fixture():
    return np.load(FIXTURES / "hashing.npz")


@pytest.mark.parametrize("key", list(CASES))
def test_hashing_strings_matches_keras(fixture, key):
    layer = layers.Hashing(**CASES[key])
    out = layer(fixture["column"] if key == "one_hot" else fixture["strings"])
    np.testing.assert_array_equal(out.numpy(), fixture[key])
    assert out.dtype == (torch.int64 if "hot" not in key and key != "count" else torch.float32)


def test_hashing_numbers_matches_keras(fixture):
    ints = fixture["ints"]
    np.testing.assert_array_equal(layers.Hashing(11)(ints).numpy(), fixture["int_buckets"])
    np.testing.assert_array_equal(
        layers.Hashing(11, mask_value=2)(torch.tensor(ints)).numpy(), fixture["ints_mask"]
    )
    np.testing.assert_array_equal(layers.Hashing(11, salt=5)(ints).numpy(), fixture["ints_salt"])
    np.testing.assert_array_equal(
        layers.Hashing(11)(fixture["floats"]).numpy(), fixture["float_buckets"]
    )
    as_bytes = np.char.encode(fixture["strings"], "utf-8")
    np.testing.assert_array_equal(layers.Hashing(7)(as_bytes).numpy(), fixture["plain"])


def test_hashing_in_a_model_on_integer_inputs(fixture, tmp_path):
    inputs = strata.Input((3,), dtype="int64")
    model = strata.Model(inputs, layers.Hashing(11, output_mode="count")(inputs))
    expected = layers.Hashing(11, output_mode="count")(fixture["ints"]).numpy()
    np.testing.assert_array_equal(model.predict(fixture["ints"], verbose=0), expected)
    with pytest.raises(ValueError, match="num_bins"):
        layers.Hashing(0)
    with pytest.raises(ValueError, match="salt"):
        layers.Hashing(3, salt="x")
    with pytest.raises(ValueError, match="dtype"):
        layers.Hashing(3, dtype="float32")


def test_hashed_crossing_matches_keras(fixture):
    a, b, c = fixture["a"], fixture["b"], fixture["c"]
    np.testing.assert_array_equal(layers.HashedCrossing(97)((a, b)).numpy(), fixture["cross_ab"])
    np.testing.assert_array_equal(
        layers.HashedCrossing(1000)([torch.tensor(b), c, a.tolist()]).numpy(), fixture["cross_bca"]
    )
    np.testing.assert_array_equal(
        layers.HashedCrossing(13)((a[:, 0], c[:, 0])).numpy(), fixture["cross_1d"]
    )
    one_hot = layers.HashedCrossing(5, output_mode="one_hot")((a, b))
    np.testing.assert_array_equal(one_hot.numpy(), fixture["cross_one_hot"])


def test_hashed_crossing_rejects_bad_inputs(fixture):
    layer = layers.HashedCrossing(5)
    with pytest.raises(ValueError, match="at least two"):
        layer(fixture["a"])
    with pytest.raises(ValueError, match="equal shapes"):
        layer((fixture["a"], fixture["b"][:3]))
    with pytest.raises(ValueError, match="integer or string"):
        layer((fixture["a"], np.ones((5, 1))))
    with pytest.raises(ValueError, match="output_mode"):
        layers.HashedCrossing(5, output_mode="count")


def test_scalars_and_python_values_are_accepted():
    assert layers.Hashing(5)(7).shape == () and layers.Hashing(5)([7, 8]).shape == (2,)
    assert layers.Hashing(5)("abc").item() == layers.Hashing(5)(["abc"]).item()
    assert layers.IntegerLookup(vocabulary=[5, 6])(6).item() == 2
    assert layers.StringLookup(vocabulary=["a"])("a").item() == 1
    assert layers.TextVectorization(vocabulary=["a"])("a b").tolist() == [[2, 1]]
