"""SpectralNormalization: when the kernel is rescaled, the weight order, errors."""

import pytest
import torch

from strata import layers


def _wrapped():
    layer = layers.SpectralNormalization(layers.Dense(3), power_iterations=3)
    layer(torch.ones(1, 4))
    return layer


def test_training_rescales_the_kernel_and_inference_does_not():
    layer = _wrapped()
    kernel = layer.layer.kernel.detach().clone()
    layer(torch.ones(2, 4))
    torch.testing.assert_close(layer.layer.kernel.detach(), kernel)
    for _ in range(10):
        layer(torch.ones(2, 4), training=True)
    assert torch.linalg.matrix_norm(layer.layer.kernel.detach(), ord=2).item() == pytest.approx(
        1.0, abs=1e-3
    )


def test_a_frozen_wrapper_leaves_the_kernel_alone():
    layer = _wrapped()
    layer.trainable = False
    kernel = layer.layer.kernel.detach().clone()
    layer(torch.ones(2, 4), training=True)
    torch.testing.assert_close(layer.layer.kernel.detach(), kernel)


def test_weights_follow_keras_order():
    layer = _wrapped()
    assert [w.shape for w in layer.get_weights()] == [(4, 3), (1, 3), (3,)]
    assert not layer.vector_u.requires_grad


def test_layers_without_a_kernel_are_refused():
    with pytest.raises(ValueError, match="kernel"):
        layers.SpectralNormalization(layers.LayerNormalization())(torch.ones(2, 3))


@pytest.mark.parametrize("value", [0, 1.5])
def test_bad_power_iterations_are_refused(value):
    with pytest.raises(ValueError, match="power_iterations"):
        layers.SpectralNormalization(layers.Dense(2), power_iterations=value)
