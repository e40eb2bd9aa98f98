"""Dropout: statistics in training, identity in inference, noise_shape and seed."""

import pytest
import torch

import strata
from strata import layers


def test_inference_is_the_identity():
    x = torch.randn(8, 16)
    layer = layers.Dropout(0.5)
    assert not layer.training
    assert torch.equal(layer(x), x)
    assert torch.equal(layer(x, training=False), x)


def test_training_drops_at_the_rate_and_scales_the_rest():
    x = torch.ones(200, 500)
    out = layers.Dropout(0.3)(x, training=True)
    kept = out != 0
    assert abs(kept.float().mean().item() - 0.7) < 0.01
    torch.testing.assert_close(out[kept], torch.full_like(out[kept], 1 / 0.7))
    assert abs(out.mean().item() - 1.0) < 0.02  # inverted dropout keeps the expectation


def test_module_train_mode_counts_as_training():
    layer = layers.Dropout(0.5)
    layer.train()
    assert (layer(torch.ones(100, 100)) == 0).any()


def test_noise_shape_shares_the_mask_along_none_free_axes():
    x = torch.ones(4, 50, 30)
    out = layers.Dropout(0.5, noise_shape=(None, 1, 30))(x, training=True)
    # the same features are dropped at every timestep of a sample
    assert torch.equal(out, out[:, :1, :].expand_as(out))
    assert (out == 0).any() and (out != 0).any()


def test_seed_makes_the_masks_reproducible():
    x = torch.ones(10, 40)
    first = layers.Dropout(0.5, seed=3)(x, training=True)
    second = layers.Dropout(0.5, seed=3)(x, training=True)
    other = layers.Dropout(0.5, seed=4)(x, training=True)
    assert torch.equal(first, second)
    assert not torch.equal(first, other)


def test_rate_validation_and_extremes():
    with pytest.raises(ValueError, match="between 0 and 1"):
        layers.Dropout(1.5)
    x = torch.ones(3, 4)
    assert torch.equal(layers.Dropout(0.0)(x, training=True), x)
    assert torch.equal(layers.Dropout(1.0)(x, training=True), torch.zeros(3, 4))


def test_in_a_model_the_training_flag_decides():
    inputs = strata.Input(shape=(100,))
    model = strata.Model(inputs, layers.Dropout(0.5)(inputs))
    x = torch.ones(10, 100)
    assert torch.equal(model(x, training=False), x)
    assert (model(x, training=True) == 0).any()
