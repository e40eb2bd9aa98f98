"""Attention and AdditiveAttention: masks from a model's inputs, dropout, argument errors."""

import numpy as np
import pytest
import torch

import strata
from strata import layers


@pytest.mark.parametrize("cls", [layers.Attention, layers.AdditiveAttention])
def test_input_masks_in_a_model_equal_explicit_masks(cls):
    tokens = strata.Input((5,), dtype="int32")
    embedded = layers.Embedding(9, 4, mask_zero=True)
    attention = cls()
    x = embedded(tokens)
    model = strata.Model(tokens, attention([x, x]))
    ids = np.array([[3, 1, 4, 0, 0], [2, 6, 5, 1, 3]], dtype="int32")
    got = model.predict(ids, verbose=0)
    vectors = embedded(torch.from_numpy(ids))
    mask = torch.from_numpy(ids != 0)
    expected = attention([vectors, vectors], mask=[mask, mask]).detach().numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    assert np.all(got[0, 3:] == 0)  # masked query positions give zeros
    unmasked = attention([vectors, vectors]).detach().numpy()
    assert not np.allclose(unmasked[0, :3], got[0, :3], atol=1e-4)


def test_dropout_in_training_only_and_seeded():
    query, value = torch.randn(2, 3, 4), torch.randn(2, 6, 4)
    first = layers.Attention(dropout=0.5, seed=4)
    second = layers.Attention(dropout=0.5, seed=4)
    torch.testing.assert_close(first([query, value]), second([query, value], training=False))
    dropped = first([query, value], training=True)
    torch.testing.assert_close(dropped, second([query, value], training=True))
    assert not torch.allclose(dropped, first([query, value]))


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: layers.Attention(score_mode="sum"), "score_mode"),
        (lambda: layers.Attention(dropout=2.0), "dropout"),
        (lambda: layers.Attention()(torch.ones(1, 2, 3)), r"\[query, value\]"),
        (lambda: layers.AdditiveAttention()([torch.ones(1, 2, 3)]), "length 1"),
    ],
)
def test_bad_arguments_raise_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()
