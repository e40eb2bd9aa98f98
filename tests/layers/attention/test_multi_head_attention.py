"""MultiHeadAttention: masks in models, the fused and explicit paths, dropout, a transformer."""

from pathlib import Path

import numpy as np
import pytest
import torch

import strata
from strata import layers

FIXTURES = Path(__file__).parents[1] / "fixtures"


def test_padding_masks_reach_the_attention_in_a_functional_model():
    """Embedding(mask_zero=True) -> MHA(x, x): Keras's outputs, and they need the masks."""
    archive = np.load(FIXTURES / "mha_masked_model.npz")
    tokens = strata.Input((5,), dtype="int32")
    x = layers.Embedding(7, 4, mask_zero=True)(tokens)
    model = strata.Model(tokens, layers.MultiHeadAttention(2, 3, name="mha")(x, x))
    weights = [archive[f"weight_{i}"] for i in range(9)]
    model.set_weights(weights)
    got = model.predict(archive["ids"], verbose=0)
    np.testing.assert_allclose(got, archive["output"], rtol=1e-4, atol=1e-5)
    # Without masks the first row (which has padding) comes out differently.
    plain = strata.Sequential([layers.Embedding(7, 4)])
    plain.build((None, 5))
    plain.set_weights(weights[:1])
    attention = layers.MultiHeadAttention(2, 3)
    embedded = plain.predict(archive["ids"], verbose=0)
    attention(embedded, embedded)
    attention.set_weights(weights[1:])
    unmasked = attention(embedded, embedded).detach().numpy()
    assert not np.allclose(unmasked[0], archive["output"][0], atol=1e-3)
    np.testing.assert_allclose(unmasked[1], archive["output"][1], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("causal", [False, True])
def test_fused_and_explicit_paths_agree(causal):
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=4, value_dim=3)
    query, value = torch.randn(2, 5, 6), torch.randn(2, 7, 6)
    mask = torch.rand(2, 5, 7) > 0.3
    mask[..., 0] = True  # no fully masked rows: there Keras's two paths differ, as ours do
    fused = layer(query, value, attention_mask=mask, use_causal_mask=causal)
    explicit, scores = layer(
        query, value, attention_mask=mask, use_causal_mask=causal, return_attention_scores=True
    )
    torch.testing.assert_close(fused, explicit, rtol=1e-5, atol=1e-5)
    assert scores.shape == (2, 2, 5, 7)
    assert torch.all(scores.masked_select(~mask.unsqueeze(1)) == 0)
    if causal:
        assert torch.all(scores[..., 0, 1:] == 0)


def test_dropout_acts_on_the_scores_in_training_only():
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=4, dropout=0.5, seed=3)
    x = torch.randn(2, 6, 8)
    inference = layer(x, x)
    torch.testing.assert_close(inference, layer(x, x, training=False))
    assert not torch.allclose(layer(x, x, training=True), inference)
    layer.train()
    assert not torch.allclose(layer(x, x), inference)


def test_symbolic_call_with_scores_and_keywords():
    query, value = strata.Input((4, 6)), strata.Input((9, 5))
    layer = layers.MultiHeadAttention(num_heads=3, key_dim=2, output_shape=7)
    output, scores = layer(query=query, value=value, return_attention_scores=True)
    assert output.shape == (None, 4, 7)
    assert scores.shape == (None, 3, 4, 9)
    assert layer.get_build_config() == {
        "shapes_dict": {"query_shape": [None, 4, 6], "value_shape": [None, 9, 5]}
    }


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"num_heads": 0, "key_dim": 2}, "num_heads"),
        ({"num_heads": 2, "key_dim": None}, "key_dim"),
        ({"num_heads": 2, "key_dim": 2, "dropout": 1.5}, "dropout"),
        ({"num_heads": 2, "key_dim": 2, "sliding_window": 0}, "sliding_window"),
        ({"num_heads": 2, "key_dim": 2, "attention_axes": "1"}, "attention_axes"),
        ({"num_heads": 2, "key_dim": 2, "dropout": 0.1, "flash_attention": True}, "flash"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.MultiHeadAttention(**kwargs)


def test_mismatched_value_and_key_are_refused():
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=2)
    with pytest.raises(ValueError, match="value and key"):
        layer(torch.randn(1, 3, 4), torch.randn(1, 5, 4), torch.randn(1, 6, 4))


def _transformer_block():
    tokens = strata.Input((6,), dtype="int32")
    x = layers.Embedding(20, 8)(tokens)
    attended = layers.MultiHeadAttention(num_heads=2, key_dim=4, dropout=0.1)(
        x, x, use_causal_mask=True
    )
    x = layers.LayerNormalization()(layers.Add()([x, attended]))
    x = layers.LayerNormalization()(layers.Add()([x, layers.Dense(8)(layers.Dense(16, "relu")(x))]))
    outputs = layers.Dense(2, activation="softmax")(layers.GlobalAveragePooling1D()(x))
    return strata.Model(tokens, outputs)


def test_a_transformer_block_trains_and_survives_save_and_load(tmp_path):
    strata.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 20, size=(64, 6)).astype("int32")
    labels = (ids[:, 0] > 9).astype("int32")  # learnable from the first token
    model = _transformer_block()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(ids, labels, epochs=15, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0] * 0.8
    path = tmp_path / "transformer.keras"
    model.save(path)
    loaded = strata.models.load_model(path)
    np.testing.assert_allclose(
        loaded.predict(ids, verbose=0), model.predict(ids, verbose=0), rtol=1e-5, atol=1e-6
    )


def test_a_subclass_attention_receives_the_causal_mask_as_an_attention_mask():
    seen = {}

    class Recording(layers.MultiHeadAttention):
        def _compute_attention(
            self,
            query,
            key,
            value,
            attention_mask=None,
            training=None,
            return_attention_scores=False,
        ):
            seen["mask"] = attention_mask
            return super()._compute_attention(
                query, key, value, attention_mask, training, return_attention_scores
            )

    x = torch.randn(1, 4, 6)
    Recording(num_heads=2, key_dim=3)(x, x, use_causal_mask=True)
    torch.testing.assert_close(seen["mask"], torch.ones(1, 4, 4, dtype=torch.bool).tril())
