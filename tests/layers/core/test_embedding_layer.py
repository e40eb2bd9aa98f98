"""Embedding: F.embedding equality, index dtypes, mask_zero, legacy arguments."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import strata
from strata import layers


def test_lookup_equals_f_embedding_and_numpy_indexing():
    layer = layers.Embedding(10, 4)
    ids = torch.tensor([[1, 2, 9], [0, 0, 5]])
    out = layer(ids)
    table = layer.get_weights()[0]
    assert table.shape == (10, 4)
    torch.testing.assert_close(out, F.embedding(ids, layer.embeddings))
    np.testing.assert_array_equal(out.detach().numpy(), table[ids.numpy()])


@pytest.mark.parametrize("dtype", ["int32", "int64", "float32"])
def test_accepts_integer_valued_indices_of_any_dtype(dtype):
    layer = layers.Embedding(6, 2)
    out = layer(np.array([[1, 5, 0]]).astype(dtype))
    expected = layer.get_weights()[0][[1, 5, 0]]
    np.testing.assert_array_equal(out.detach().numpy()[0], expected)


def test_default_initializer_is_uniform_005():
    layer = layers.Embedding(500, 40)
    layer.build((None, 3))
    weights = layer.get_weights()[0]
    assert weights.min() >= -0.05 and weights.max() <= 0.05
    assert abs(weights.std() - 0.1 / np.sqrt(12)) < 0.002  # U(-0.05, 0.05)


def test_mask_zero_mask_and_symbolic_flag():
    layer = layers.Embedding(10, 3, mask_zero=True)
    ids = torch.tensor([[4, 0, 7, 0]])
    assert torch.equal(layer.compute_mask(ids), torch.tensor([[True, False, True, False]]))
    assert layers.Embedding(10, 3).compute_mask(ids) is None
    assert layer(strata.Input(shape=(None,), dtype="int32")).has_mask
    assert not layers.Embedding(10, 3)(strata.Input(shape=(4,), dtype="int32")).has_mask


def test_mask_travels_through_a_model_to_mask_aware_layers():
    seen = {}

    def record(x, mask=None):
        seen["mask"] = mask
        return x

    tokens = strata.Input(shape=(4,), dtype="int32")
    embedded = layers.Embedding(10, 3, mask_zero=True)(tokens)
    out = layers.Lambda(record, mask=lambda inputs, mask: mask)(embedded)
    model = strata.Model(tokens, out)
    model(torch.tensor([[3, 0, 2, 0]]))
    assert torch.equal(seen["mask"], torch.tensor([[True, False, True, False]]))


def test_table_trains():
    layer = layers.Embedding(5, 2)
    ids = torch.tensor([[1, 3]])
    before = layer(ids).detach().clone()
    layer(ids).sum().backward()
    with torch.no_grad():
        layer.embeddings -= 0.5 * layer.embeddings.grad
    assert not torch.equal(layer(ids), before)
    assert torch.count_nonzero(layer.embeddings.grad.sum(dim=1)) == 2  # only the used rows


def test_legacy_input_length_and_initial_weights():
    layer = layers.Embedding(4, 2, input_length=7)
    assert layer.get_config()["batch_input_shape"] == [None, 7]
    table = np.arange(8, dtype="float32").reshape(4, 2)
    seeded = layers.Embedding(4, 2, weights=[table])
    np.testing.assert_array_equal(seeded(np.array([[3]])).detach().numpy()[0, 0], [6.0, 7.0])


def test_argument_validation():
    with pytest.raises(ValueError, match="input_dim"):
        layers.Embedding(0, 3)
    with pytest.raises(ValueError, match="output_dim"):
        layers.Embedding(3, "4")
