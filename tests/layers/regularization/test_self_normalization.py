"""SELU networks stay self-normalizing (Klambauer et al., 2017), with and without AlphaDropout."""

import pytest
import torch

from strata import layers

DEPTH, WIDTH, BATCH = 16, 256, 1024


def _activation_stats(dropout_rate, activation="selu", initializer="lecun_normal"):
    torch.manual_seed(0)
    x = torch.randn(BATCH, WIDTH)
    stats = []
    for _ in range(DEPTH):
        dense = layers.Dense(WIDTH, activation=activation, kernel_initializer=initializer)
        x = dense(x)
        if dropout_rate:
            x = layers.AlphaDropout(dropout_rate)(x, training=True)
        stats.append((x.mean().item(), x.std().item()))
    return stats


@pytest.mark.parametrize("rate", [0.0, 0.1])
def test_selu_stack_keeps_zero_mean_unit_variance(rate):
    with torch.no_grad():
        stats = _activation_stats(rate)
    for depth, (mean, std) in enumerate(stats, start=1):
        assert abs(mean) < 0.1, f"layer {depth}: mean {mean:.3f}"
        assert abs(std - 1.0) < 0.15, f"layer {depth}: std {std:.3f}"


def test_the_property_is_specific_to_selu_with_lecun_init():
    # The same check fails for a ReLU stack with Glorot init, so the test above can fail.
    with torch.no_grad():
        stats = _activation_stats(0.0, activation="relu", initializer="glorot_uniform")
    assert any(abs(mean) > 0.1 or abs(std - 1.0) > 0.15 for mean, std in stats)


def test_plain_zeroing_dropout_breaks_it():
    # Zeroing dropped SELU units (instead of alpha') without the affine fix shifts the stats.
    torch.manual_seed(0)
    x = torch.randn(BATCH, WIDTH)
    with torch.no_grad():
        for _ in range(DEPTH):
            x = layers.Dense(WIDTH, activation="selu", kernel_initializer="lecun_normal")(x)
            x = torch.nn.functional.dropout(x, 0.1, training=True)
    assert abs(x.std().item() - 1.0) > 0.15 or abs(x.mean().item()) > 0.1
