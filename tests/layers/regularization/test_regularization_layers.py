"""Noise, dropout and activity-penalty layers: formulas and statistics."""

import math

import numpy as np
import pytest
import torch

import strata
from strata import layers
from strata.layers.regularization.alpha_dropout import ALPHA_PRIME

ALL_RANDOM = [
    (layers.AlphaDropout, {"rate": 0.3}, (50, 20)),
    (layers.GaussianNoise, {"stddev": 0.3}, (50, 20)),
    (layers.GaussianDropout, {"rate": 0.3}, (50, 20)),
    (layers.SpatialDropout1D, {"rate": 0.3}, (8, 5, 20)),
    (layers.SpatialDropout2D, {"rate": 0.3}, (8, 5, 5, 20)),
    (layers.SpatialDropout3D, {"rate": 0.3}, (8, 3, 3, 3, 20)),
]


@pytest.mark.parametrize(("cls", "kwargs", "shape"), ALL_RANDOM, ids=lambda v: str(v))
def test_identity_in_inference_random_in_training(cls, kwargs, shape):
    layer = cls(**kwargs)
    x = torch.randn(shape)
    assert layer(x) is x or torch.equal(layer(x), x)  # training=None: inference mode
    assert torch.equal(layer(x, training=False), x)
    assert not torch.equal(layer(x, training=True), x)


def test_alpha_dropout_formula():
    rate = 0.25
    layer = layers.AlphaDropout(rate, seed=3)
    x = torch.randn(400, 50)
    out = layer(x, training=True)
    a = ((1 - rate) * (1 + rate * ALPHA_PRIME**2)) ** -0.5
    b = -a * ALPHA_PRIME * rate
    dropped = torch.isclose(out, torch.full_like(out, a * ALPHA_PRIME + b), atol=1e-6)
    torch.testing.assert_close(out[~dropped], a * x[~dropped] + b)
    assert abs(dropped.float().mean().item() - rate) < 0.01
    assert ALPHA_PRIME == pytest.approx(-1.7580993408473766)


def test_alpha_dropout_keeps_zero_mean_unit_variance():
    x = torch.randn(2000, 500)
    out = layers.AlphaDropout(0.2)(torch.nn.functional.selu(x), training=True)
    selu = torch.nn.functional.selu(x)
    # SELU outputs of standard-normal inputs have mean ~0 and variance ~1; the dropout keeps it.
    assert abs(selu.mean().item()) < 0.01 and abs(selu.var().item() - 1) < 0.02
    assert abs(out.mean().item()) < 0.01 and abs(out.var().item() - 1) < 0.02


def test_alpha_dropout_noise_shape_broadcasts():
    layer = layers.AlphaDropout(0.5, noise_shape=[None, 1, 8], seed=1)
    out = layer(torch.zeros(16, 5, 8), training=True)
    assert torch.equal(out, out[:, :1, :].expand_as(out))
    with pytest.raises(ValueError, match="rate"):
        layers.AlphaDropout(1.0)


def test_gaussian_noise_statistics():
    out = layers.GaussianNoise(0.4)(torch.full((500, 400), 2.0), training=True)
    assert abs(out.mean().item() - 2.0) < 0.005
    assert abs(out.std().item() - 0.4) < 0.005
    with pytest.raises(ValueError):
        layers.GaussianNoise(-1.0)


def test_gaussian_dropout_statistics():
    rate = 0.3
    out = layers.GaussianDropout(rate)(torch.full((500, 400), 3.0), training=True)
    assert abs(out.mean().item() - 3.0) < 0.01
    assert abs(out.std().item() - 3.0 * math.sqrt(rate / (1 - rate))) < 0.01


@pytest.mark.parametrize(
    ("cls", "shape", "data_format"),
    [
        (layers.SpatialDropout1D, (64, 6, 10), "channels_last"),
        (layers.SpatialDropout2D, (64, 5, 5, 10), "channels_last"),
        (layers.SpatialDropout2D, (64, 10, 5, 5), "channels_first"),
        (layers.SpatialDropout3D, (64, 3, 3, 3, 10), "channels_last"),
        (layers.SpatialDropout3D, (64, 10, 3, 3, 3), "channels_first"),
    ],
)
def test_spatial_dropout_zeroes_whole_channels(cls, shape, data_format):
    rate = 0.4
    layer = cls(rate, data_format=data_format)
    out = layer(torch.rand(shape) + 0.5, training=True)
    channels_last = data_format == "channels_last"
    per_channel = out.movedim(-1, 1) if channels_last else out
    per_channel = per_channel.reshape(shape[0], 10, -1)
    zero = (per_channel == 0).all(dim=-1)
    assert torch.equal(zero, (per_channel == 0).any(dim=-1))  # all or nothing per channel
    assert abs(zero.float().mean().item() - rate) < 0.08
    x = torch.ones(shape)
    kept = layer(x, training=True)
    assert set(kept.unique().tolist()) <= {0.0, 1 / (1 - rate)} or torch.allclose(
        kept[kept != 0], torch.tensor(1 / (1 - rate))
    )


def test_spatial_dropout_refuses_wrong_rank():
    with pytest.raises(ValueError, match="rank 4"):
        layers.SpatialDropout2D(0.5)(torch.randn(2, 3, 4))


def test_activity_regularization_loss_value_and_reset():
    layer = layers.ActivityRegularization(l1=0.1, l2=0.01)
    x = torch.tensor([[1.0, -2.0], [3.0, 0.5]])
    assert torch.equal(layer(x), x)
    expected = 0.1 * 6.5 + 0.01 * (1 + 4 + 9 + 0.25)
    assert len(layer.losses) == 1
    assert layer.losses[0].item() == pytest.approx(expected)
    layer(x * 2)
    assert len(layer.losses) == 1  # each call replaces the previous penalty
    assert layer.losses[0].item() == pytest.approx(0.1 * 13 + 0.01 * 4 * 14.25)


def test_activity_regularization_loss_reaches_the_model_and_has_gradients():
    inputs = strata.Input(shape=(3,))
    model = strata.Model(inputs, layers.ActivityRegularization(l2=0.5)(layers.Dense(2)(inputs)))
    out = model(torch.randn(4, 3), training=True)
    assert len(model.losses) == 1
    assert model.losses[0].item() == pytest.approx(0.5 * out.square().sum().item(), rel=1e-5)
    model.losses[0].backward()
    assert model.layers[1].kernel.grad is not None
    assert layers.ActivityRegularization(l1=0.2).get_config()["l1"] == 0.2
    with pytest.raises(ValueError):
        layers.ActivityRegularization(l1=-1.0)


def test_seeded_layers_repeat_their_draws():
    x = torch.randn(10, 10)
    a = layers.GaussianNoise(0.5, seed=7)(x, training=True)
    b = layers.GaussianNoise(0.5, seed=7)(x, training=True)
    torch.testing.assert_close(a, b)
    c = layers.GaussianNoise(0.5, seed=8)(x, training=True)
    assert not torch.equal(a, c)
    np.testing.assert_array_equal(
        layers.SpatialDropout2D(0.5, seed=1)(torch.ones(4, 2, 2, 6), training=True).numpy(),
        layers.SpatialDropout2D(0.5, seed=1)(torch.ones(4, 2, 2, 6), training=True).numpy(),
    )
