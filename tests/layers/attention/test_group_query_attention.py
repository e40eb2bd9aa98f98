"""GroupQueryAttention: the grouped fused kernel agrees with the explicit path; errors."""

import pytest
import torch

from strata import layers


@pytest.mark.parametrize("causal", [False, True])
def test_grouped_fused_kernel_matches_repeated_heads(causal):
    layer = layers.GroupQueryAttention(head_dim=3, num_query_heads=6, num_key_value_heads=2)
    query, value = torch.randn(2, 5, 4), torch.randn(2, 7, 4)
    mask = torch.rand(2, 5, 7) > 0.4
    mask[..., 0] = True
    fused = layer(query, value, attention_mask=mask, use_causal_mask=causal)
    explicit, scores = layer(
        query, value, attention_mask=mask, use_causal_mask=causal, return_attention_scores=True
    )
    torch.testing.assert_close(fused, explicit, rtol=1e-5, atol=1e-5)
    assert scores.shape == (2, 6, 5, 7)


def test_dropout_only_in_training():
    layer = layers.GroupQueryAttention(2, 4, 2, dropout=0.5, seed=1)
    x = torch.randn(2, 6, 4)
    torch.testing.assert_close(layer(x, x), layer(x, x, training=False))
    assert not torch.allclose(layer(x, x, training=True), layer(x, x))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"head_dim": 2, "num_query_heads": 4, "num_key_value_heads": 3}, "divisible"),
        ({"head_dim": 0, "num_query_heads": 4, "num_key_value_heads": 2}, "head_dim"),
        ({"head_dim": 2, "num_query_heads": 4, "num_key_value_heads": 2, "dropout": -1}, "dropout"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.GroupQueryAttention(**kwargs)


def test_rank_other_than_three_is_refused():
    layer = layers.GroupQueryAttention(2, 2, 1)
    with pytest.raises(ValueError, match="batch, length, features"):
        layer(torch.randn(1, 2, 3, 4), torch.randn(1, 2, 3, 4))


def test_input_masks_fill_the_mask_arguments_in_a_model():
    import numpy as np

    import strata

    ids = strata.Input((5,), dtype="int32")
    embedding = layers.Embedding(9, 4, mask_zero=True)
    attention = layers.GroupQueryAttention(2, 4, 2)
    x = embedding(ids)
    model = strata.Model(ids, attention(x, x, use_causal_mask=True))
    tokens = np.array([[3, 1, 4, 0, 0], [2, 6, 5, 1, 3]], dtype="int32")
    vectors = embedding(torch.from_numpy(tokens))
    mask = torch.from_numpy(tokens != 0)
    expected = attention(vectors, vectors, query_mask=mask, value_mask=mask, use_causal_mask=True)
    got = model.predict(tokens, verbose=0)
    np.testing.assert_allclose(got, expected.detach().numpy(), rtol=1e-5, atol=1e-6)
    unmasked = attention(vectors, vectors, use_causal_mask=True).detach().numpy()
    assert not np.allclose(got[0], unmasked[0], atol=1e-4)
