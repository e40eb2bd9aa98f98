"""ReversibleEmbedding: tied logits in a model that trains, saves and loads; masks; errors."""

import numpy as np
import pytest
import torch

import strata
from strata import layers


def _language_model(tie_weights=True):
    ids = strata.Input((5,), dtype="int32")
    embedding = layers.ReversibleEmbedding(12, 4, tie_weights=tie_weights, mask_zero=True)
    hidden = layers.Dense(4, activation="tanh")(embedding(ids))
    return strata.Model(ids, embedding(hidden, reverse=True)), embedding


def test_tied_logits_train_and_survive_save_and_load(tmp_path):
    model, embedding = _language_model()
    assert model.count_params() == 12 * 4 + 4 * 4 + 4  # one table serves both directions
    assert model.outputs[0].shape == (None, 5, 12)
    ids = np.random.default_rng(0).integers(1, 12, size=(32, 5)).astype("int32")
    before = embedding.embeddings.detach().clone()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(ids, ids, epochs=2, batch_size=8, verbose=0)
    assert not torch.equal(before, embedding.embeddings.detach())
    path = tmp_path / "lm.keras"
    model.save(path)
    loaded = strata.models.load_model(path)
    np.testing.assert_allclose(
        loaded.predict(ids, verbose=0), model.predict(ids, verbose=0), rtol=1e-5, atol=1e-6
    )


def test_reverse_matches_the_transposed_table_and_soft_cap():
    layer = layers.ReversibleEmbedding(6, 3, logit_soft_cap=2.0)
    vectors = torch.randn(2, 3)
    layer(torch.tensor([1]))
    expected = torch.tanh(vectors @ layer.embeddings.T / 2.0) * 2.0
    torch.testing.assert_close(layer(vectors, reverse=True), expected)


def test_only_the_forward_output_carries_the_mask():
    model, _ = _language_model()
    assert not model.outputs[0].has_mask


def test_bad_soft_cap_is_refused():
    with pytest.raises(ValueError, match="logit_soft_cap"):
        layers.ReversibleEmbedding(5, 2, logit_soft_cap=0)
