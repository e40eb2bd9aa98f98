"""LayerNormalization, GroupNormalization and UnitNormalization against torch and formulas."""

import doctest

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from strata import layers
from strata.layers import activations as activation_layers
from strata.layers import normalization, regularization

EPS = 1e-3


def _randomize(layer):
    layer.set_weights([np.random.default_rng(7).normal(size=w.shape) for w in layer.get_weights()])


@pytest.mark.parametrize("axis", [-1, [-2, -1]])
def test_layer_norm_matches_f_layer_norm(axis):
    layer = layers.LayerNormalization(axis=axis)
    x = torch.randn(3, 4, 5) * 3 + 2
    layer.build(tuple(x.shape))
    _randomize(layer)
    shape = (5,) if axis == -1 else (4, 5)
    expected = F.layer_norm(x, shape, layer.gamma, layer.beta, EPS)
    torch.testing.assert_close(layer(x), expected)


def _np_layer_norm(x, axes, gamma, beta, rms=False):
    x = x.astype(np.float64)
    if rms:
        return x / np.sqrt((x**2).mean(axis=axes, keepdims=True) + EPS) * gamma
    mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + EPS) * gamma + beta


def test_layer_norm_on_non_trailing_axes_matches_numpy():
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 5)).astype("float32")
    layer = layers.LayerNormalization(axis=[1, 3])
    layer.build(x.shape)
    _randomize(layer)
    gamma, beta = (w.reshape(1, 3, 1, 5) for w in layer.get_weights())
    got = layer(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(got, _np_layer_norm(x, (1, 3), gamma, beta), rtol=1e-4, atol=1e-4)


def test_layer_norm_unordered_axes_keep_keras_weight_shape():
    x = np.random.default_rng(1).normal(size=(2, 3, 4)).astype("float32")
    layer = layers.LayerNormalization(axis=[2, 1])
    layer.build(x.shape)
    assert [w.shape for w in layer.get_weights()] == [(4, 3), (4, 3)]
    _randomize(layer)
    gamma, beta = (w.T.reshape(1, 3, 4) for w in layer.get_weights())
    got = layer(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(got, _np_layer_norm(x, (1, 2), gamma, beta), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("axis", [-1, 1])
def test_rms_scaling_divides_by_the_root_mean_square(axis):
    x = np.random.default_rng(2).normal(size=(2, 3, 4)).astype("float32") + 1.0
    layer = layers.LayerNormalization(axis=axis, rms_scaling=True)
    layer.build(x.shape)
    assert len(layer.weights) == 1  # gamma only: center is ignored
    _randomize(layer)
    shape = [1, 1, 1]
    shape[axis] = -1
    gamma = layer.get_weights()[0].reshape(shape)
    expected = _np_layer_norm(x, axis, gamma, None, rms=True)
    got = layer(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def test_layer_norm_parameter_counts():
    layer = layers.LayerNormalization(center=False)
    layer.build((None, 10, 16))
    assert layer.count_params() == 16
    with pytest.raises(ValueError, match="batch axis"):
        layers.LayerNormalization(axis=0)(torch.randn(2, 3))


def test_group_norm_matches_f_group_norm_channels_first():
    x = torch.randn(2, 6, 5, 5)
    layer = layers.GroupNormalization(groups=3, axis=1)
    layer.build(tuple(x.shape))
    _randomize(layer)
    expected = F.group_norm(x, 3, layer.gamma, layer.beta, EPS)
    torch.testing.assert_close(layer(x), expected)


def test_group_norm_channels_last_groups_contiguous_channels():
    x = np.random.default_rng(3).normal(size=(2, 4, 4, 6)).astype("float32")
    layer = layers.GroupNormalization(groups=2)
    layer.build(x.shape)
    _randomize(layer)
    gamma, beta = layer.get_weights()
    grouped = x.reshape(2, 4, 4, 2, 3).astype(np.float64)
    mean = grouped.mean(axis=(1, 2, 4), keepdims=True)
    var = grouped.var(axis=(1, 2, 4), keepdims=True)
    expected = ((grouped - mean) / np.sqrt(var + EPS)).reshape(x.shape) * gamma + beta
    got = layer(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def test_group_norm_instance_mode_and_gradients():
    x = torch.randn(2, 7, 4, requires_grad=True)
    layer = layers.GroupNormalization(groups=-1, scale=False)
    out = layer(x, training=True)
    expected = F.instance_norm(x.detach().transpose(1, 2), eps=EPS).transpose(1, 2)
    torch.testing.assert_close(out.detach(), expected, rtol=1e-4, atol=1e-4)
    out.square().sum().backward()
    assert layer.beta.grad is not None and x.grad is not None


def test_group_norm_refuses_groups_that_do_not_divide():
    with pytest.raises(ValueError, match="divide"):
        layers.GroupNormalization(groups=4)(torch.randn(2, 6))
    with pytest.raises(ValueError, match="divide"):
        layers.GroupNormalization(groups=32)(torch.randn(2, 16))


def test_unit_normalization():
    x = torch.tensor([[3.0, 4.0], [0.0, 0.0]])
    out = layers.UnitNormalization()(x)
    torch.testing.assert_close(out, torch.tensor([[0.6, 0.8], [0.0, 0.0]]))
    y = torch.randn(2, 3, 4)
    out = layers.UnitNormalization(axis=[1, 2])(y)
    torch.testing.assert_close(out.square().sum(dim=(1, 2)), torch.ones(2))
    tiny = torch.tensor([[1e-8, 0.0]])  # Keras clamps the squared norm at 1e-12
    torch.testing.assert_close(layers.UnitNormalization()(tiny), tiny * 1e6)


@pytest.mark.parametrize(
    "module",
    [
        *[getattr(normalization, n) for n in normalization.__all__],
        *[getattr(activation_layers, n) for n in activation_layers.__all__],
        *[getattr(regularization, n) for n in regularization.__all__],
    ],
    ids=lambda m: m.__name__,
)
def test_docstring_examples_run(module):
    import sys

    result = doctest.testmod(sys.modules[module.__module__], optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize(
    "name", normalization.__all__ + activation_layers.__all__ + regularization.__all__
)
def test_layers_serialize_by_name(name):
    cls = getattr(layers, name)
    args = {"rate": 0.2} if "Dropout" in name else {"stddev": 0.1} if "Noise" in name else {}
    if name == "SpectralNormalization":  # a wrapper: it needs the layer it wraps
        args = {"layer": layers.Dense(2)}
    layer = cls(**args)
    clone = layers.deserialize(layers.serialize(layer))
    assert type(clone) is cls and clone.get_config() == layer.get_config()
