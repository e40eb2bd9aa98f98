"""StringLookup equals Keras 3.15 (fixtures recorded with TensorFlow-backed Keras)."""

from pathlib import Path

import numpy as np
import pytest
import torch

import strata
from strata import layers

FIXTURES = Path(__file__).parent / "fixtures"
CASES = {
    "plain": {},
    "max_tokens": {"max_tokens": 5},
    "mask_three_oov": {"mask_token": "", "num_oov_indices": 3},
    "salted": {"num_oov_indices": 4, "salt": 1234},
    "one_hot": {"output_mode": "one_hot"},
    "multi_hot": {"output_mode": "multi_hot"},
    "count": {"output_mode": "count", "max_tokens": 12, "pad_to_max_tokens": True},
    "tf_idf": {"output_mode": "tf_idf"},
}


@pytest.fixture(scope="module")
def fixture():
    return np.load(FIXTURES / "string_lookup.npz")


@pytest.mark.parametrize("key", list(CASES))
def test_adapted_string_lookup_matches_keras(fixture, key):
    layer = layers.StringLookup(**CASES[key])
    layer.adapt(fixture["data"])
    assert layer.get_vocabulary() == fixture[key + "_vocabulary"].tolist()
    out = layer(fixture["column"] if key == "one_hot" else fixture["probe"])
    assert isinstance(out, torch.Tensor)
    np.testing.assert_allclose(out.numpy(), fixture[key], rtol=1e-6)


def test_bytes_lists_and_generators_are_accepted(fixture):
    layer = layers.StringLookup()
    rows = fixture["data"]
    layer.adapt(np.array(row, dtype=object) for row in rows)  # batches of one document each
    assert layer.get_vocabulary() == fixture["plain_vocabulary"].tolist()
    as_bytes = np.char.encode(fixture["probe"], "utf-8")
    np.testing.assert_array_equal(layer(as_bytes).numpy(), fixture["plain"])
    np.testing.assert_array_equal(layer(fixture["probe"].tolist()).numpy(), fixture["plain"])


def test_invert_returns_strings(fixture):
    inverse = layers.StringLookup(vocabulary=["a", "b", "c"], invert=True, mask_token="m")
    out = inverse(np.array([0, 1, 2, 3, 4, 9]))
    assert out.tolist() == fixture["invert"].tolist()
    assert inverse(torch.tensor([[2, 4]])).tolist() == [["a", "c"]]


def test_vocabulary_in_the_config_and_no_symbolic_strings(fixture):
    layer = layers.StringLookup(output_mode="tf_idf")
    layer.adapt(fixture["data"])
    clone = layers.StringLookup.from_config(layer.get_config())
    np.testing.assert_allclose(clone(fixture["probe"]).numpy(), fixture["tf_idf"], rtol=1e-6)
    with pytest.raises(ValueError, match="no string tensors"):
        layers.StringLookup(vocabulary=["a"])(strata.Input((3,), dtype="int64"))
    with pytest.raises(ValueError, match="vocabulary files are not read"):
        layers.StringLookup(vocabulary="/etc/passwd")


def test_ids_feed_a_model_trained_with_fit():
    texts = np.array([["good", "fine"], ["bad", "awful"], ["good", "good"], ["awful", "bad"]] * 4)
    labels = np.array([1, 0, 1, 0] * 4, "float32")
    lookup = layers.StringLookup(output_mode="multi_hot")
    lookup.adapt(texts)
    features = lookup(texts)  # strings become a float tensor before fit
    model = strata.Sequential([strata.Input((lookup.vocabulary_size(),)), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(features.numpy(), labels, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
