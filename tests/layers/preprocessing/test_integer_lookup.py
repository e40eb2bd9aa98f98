"""IntegerLookup equals Keras 3.15 (fixtures recorded with TensorFlow-backed Keras lookups)."""

from pathlib import Path

import numpy as np
import pytest
import torch

import strata
from strata import layers
from strata.layers.preprocessing._hashing import fingerprint64, siphash

FIXTURES = Path(__file__).parent / "fixtures"
CASES = {
    "plain": {},
    "max_tokens": {"max_tokens": 4},
    "mask_two_oov": {"mask_token": 0, "num_oov_indices": 2},
    "one_hot": {"output_mode": "one_hot"},
    "multi_hot_mask": {"output_mode": "multi_hot", "mask_token": 0},
    "count_padded": {"output_mode": "count", "max_tokens": 9, "pad_to_max_tokens": True},
    "tf_idf": {"output_mode": "tf_idf"},
    "farmhash_oov": {"num_oov_indices": 3, "oov_method": "farmhash"},
    "salted_oov": {"num_oov_indices": 3, "oov_method": "farmhash", "salt": [3, 4]},
}


@pytest.fixture(scope="module")
def fixture():
    return np.load(FIXTURES / "integer_lookup.npz")


@pytest.mark.parametrize("key", list(CASES))
def test_adapted_integer_lookup_matches_keras(fixture, key):
    layer = layers.IntegerLookup(**CASES[key])
    layer.adapt(fixture["data"])
    assert layer.get_vocabulary() == fixture[key + "_vocabulary"].tolist()
    assert layer.vocabulary_size() == len(fixture[key + "_vocabulary"])
    out = layer(fixture["column"] if key == "one_hot" else fixture["probe"])
    np.testing.assert_allclose(out.numpy(), fixture[key], rtol=1e-6)
    int_mode = CASES[key].get("output_mode", "int") == "int"
    assert out.dtype == (torch.int64 if int_mode else torch.float32)


def test_given_vocabulary_invert_and_idf_weights(fixture):
    given = layers.IntegerLookup(vocabulary=[12, 36, 1138, 42], mask_token=0)
    np.testing.assert_array_equal(given(np.array([[12, 0, 1138, 99]])).numpy(), fixture["given"])
    inverse = layers.IntegerLookup(vocabulary=[12, 36, 1138, 42], invert=True)
    np.testing.assert_array_equal(inverse(np.array([[0, 1, 4, 2, 7]])).numpy(), fixture["invert"])
    idf = layers.IntegerLookup(
        vocabulary=[4, 5, 6], idf_weights=[0.5, 1.0, 2.0], output_mode="tf_idf"
    )
    np.testing.assert_allclose(idf(np.array([[4, 4, 6, 1]])).numpy(), fixture["given_tf_idf"])


def test_adapt_from_a_loader_and_set_vocabulary(fixture):
    data = torch.tensor(fixture["data"])
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(data), batch_size=3)
    layer = layers.IntegerLookup()
    layer.adapt(loader)
    assert layer.get_vocabulary() == fixture["plain_vocabulary"].tolist()
    layer.set_vocabulary([7, 8])
    assert layer.get_vocabulary(include_special_tokens=False) == [7, 8]
    assert layer(np.array([8, 7, 1])).tolist() == [2, 1, 0]
    with pytest.raises(ValueError, match="unique"):
        layer.set_vocabulary([1, 1])
    with pytest.raises(ValueError, match="num_oov_indices=0"):
        layers.IntegerLookup(vocabulary=[1, 2], num_oov_indices=0)(np.array([3]))
    with pytest.raises(ValueError, match="invert=True"):
        layers.IntegerLookup(invert=True, output_mode="count")


def test_adapted_vocabulary_travels_with_the_model(fixture, tmp_path):
    inputs = strata.Input((5,), dtype="int64")
    lookup = layers.IntegerLookup(output_mode="multi_hot")
    lookup.adapt(fixture["data"])
    model = strata.Model(inputs, layers.Dense(1)(lookup(inputs)))
    model.save(tmp_path / "m.keras")
    loaded = strata.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(
        loaded.predict(fixture["probe"], verbose=0), model.predict(fixture["probe"], verbose=0)
    )
    assert loaded.layers[1].get_vocabulary() == lookup.get_vocabulary()
    with pytest.raises(RuntimeError, match="cannot change its vocabulary size"):
        loaded.layers[1].adapt(np.array([1, 1, 2]))  # the Dense after it expects 11 inputs
    relearned = layers.IntegerLookup.from_config(lookup.get_config())
    relearned.adapt(np.array([1, 1, 2]))  # an adapted layer's config may adapt again
    assert relearned.get_vocabulary() == [-1, 1, 2]


def test_hashes_equal_tensorflows():
    data = np.load(FIXTURES / "hashes.npz")
    top = 2**63 - 1
    for text, fast, strong in zip(data["strings"], data["fast"], data["strong"]):
        assert fingerprint64(str(text).encode()) % top == fast
        assert siphash([7, 11], str(text).encode()) % top == strong


def test_mask_is_not_out_of_vocabulary_without_oov_slots():
    layer = layers.IntegerLookup(vocabulary=[5, 6], mask_token=0, num_oov_indices=0)
    assert layer(np.array([0, 5, 6])).tolist() == [0, 1, 2]
    assert layer.get_vocabulary() == [0, 5, 6]
    with pytest.raises(ValueError, match=r"out-of-vocabulary values \[7\]"):
        layer(np.array([7, 5]))
