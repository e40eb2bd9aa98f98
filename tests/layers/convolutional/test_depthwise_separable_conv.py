"""Depthwise and separable convolutions against grouped `F.conv{1,2}d` with the same weights."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import strata
from strata import layers


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def _with_weights(layer, shape):
    layer(np.zeros(shape, "float32"))
    weights = [_rand(*w.shape, seed=10 + i) for i, w in enumerate(layer.get_weights())]
    layer.set_weights(weights)
    return weights


def _depthwise_reference(x_cf, kernel, rank):
    """Keras depthwise kernel (k..., in, dm) as torch grouped weights (in * dm, 1, k...)."""
    kernel = torch.from_numpy(kernel)
    channels, multiplier = kernel.shape[-2:]
    weight = kernel.reshape(*kernel.shape[:rank], channels * multiplier)
    return weight.permute(rank, *range(rank)).unsqueeze(1), int(channels)


def test_depthwise_conv2d_matches_grouped_conv():
    layer = layers.DepthwiseConv2D(3, depth_multiplier=3, padding="same", activation="tanh")
    x = _rand(2, 6, 7, 4)
    kernel, bias = _with_weights(layer, x.shape)
    weight, groups = _depthwise_reference(None, kernel, 2)
    x_cf = torch.from_numpy(x).permute(0, 3, 1, 2)
    expected = torch.tanh(F.conv2d(x_cf, weight, torch.from_numpy(bias), padding=1, groups=groups))
    torch.testing.assert_close(layer(x), expected.permute(0, 2, 3, 1), rtol=1e-5, atol=1e-5)


def test_depthwise_output_channel_order_is_channel_major():
    """Output channel c * multiplier + m is filter m applied to input channel c (Keras's order)."""
    layer = layers.DepthwiseConv2D(1, depth_multiplier=2, use_bias=False)
    layer(np.zeros((1, 2, 2, 3), "float32"))
    kernel = np.zeros((1, 1, 3, 2), "float32")
    kernel[0, 0, 1, 0] = 1.0  # channel 1, multiplier 0 -> output channel 2
    layer.set_weights([kernel])
    x = np.zeros((1, 2, 2, 3), "float32")
    x[..., 1] = 7.0
    out = layer(x).detach().numpy()
    assert out[0, 0, 0].tolist() == [0.0, 0.0, 7.0, 0.0, 0.0, 0.0]


def test_depthwise_conv1d_strided_same_matches_padded_reference():
    layer = layers.DepthwiseConv1D(4, strides=2, padding="same", depth_multiplier=2)
    x = _rand(2, 9, 3)
    kernel, bias = _with_weights(layer, x.shape)
    weight, groups = _depthwise_reference(None, kernel, 1)
    # 9 steps -> 5 outputs need 4 * 2 + 4 = 12 positions: 1 before, 2 after.
    x_cf = F.pad(torch.from_numpy(x).transpose(1, 2), (1, 2))
    expected = F.conv1d(x_cf, weight, torch.from_numpy(bias), stride=2, groups=groups)
    torch.testing.assert_close(layer(x), expected.transpose(1, 2), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_separable_conv2d_is_depthwise_then_pointwise(data_format):
    layer = layers.SeparableConv2D(
        5, 3, depth_multiplier=2, dilation_rate=2, padding="same", data_format=data_format
    )
    shape = (2, 8, 7, 3) if data_format == "channels_last" else (2, 3, 8, 7)
    x = _rand(*shape)
    depthwise, pointwise, bias = _with_weights(layer, shape)
    assert depthwise.shape == (3, 3, 3, 2) and pointwise.shape == (1, 1, 6, 5)
    x_cf = torch.from_numpy(x)
    if data_format == "channels_last":
        x_cf = x_cf.permute(0, 3, 1, 2)
    weight, groups = _depthwise_reference(None, depthwise, 2)
    hidden = F.conv2d(x_cf, weight, None, padding=2, dilation=2, groups=groups)
    point = torch.from_numpy(pointwise).permute(3, 2, 0, 1)
    expected = F.conv2d(hidden, point, torch.from_numpy(bias))
    if data_format == "channels_last":
        expected = expected.permute(0, 2, 3, 1)
    torch.testing.assert_close(layer(x), expected, rtol=1e-5, atol=1e-5)


def test_separable_conv1d_matches_reference():
    layer = layers.SeparableConv1D(4, 3, strides=2)
    x = _rand(2, 9, 3)
    depthwise, pointwise, bias = _with_weights(layer, x.shape)
    weight, groups = _depthwise_reference(None, depthwise, 1)
    hidden = F.conv1d(torch.from_numpy(x).transpose(1, 2), weight, stride=2, groups=groups)
    expected = F.conv1d(
        hidden, torch.from_numpy(pointwise).permute(2, 1, 0), torch.from_numpy(bias)
    )
    torch.testing.assert_close(layer(x), expected.transpose(1, 2), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "make, input_shape, expected",
    [
        (lambda: layers.SeparableConv2D(64, 3), (16, 16, 32), 32 * 9 + 32 * 64 + 64),
        (
            lambda: layers.SeparableConv2D(8, 3, depth_multiplier=2, use_bias=False),
            (9, 9, 4),
            72 + 64,
        ),
        (lambda: layers.SeparableConv1D(32, 3, depth_multiplier=2), (12, 16), 96 + 1024 + 32),
        (lambda: layers.DepthwiseConv2D(3, depth_multiplier=2), (9, 9, 8), 9 * 16 + 16),
        (lambda: layers.DepthwiseConv1D(5), (20, 6), 5 * 6 + 6),
    ],
)
def test_parameter_counts_equal_keras(make, input_shape, expected):
    layer = make()
    layer(strata.Input(shape=input_shape))
    assert layer.count_params() == expected


def test_weight_names_and_configs():
    separable = layers.SeparableConv2D(4, 3, depth_multiplier=2, pointwise_regularizer="l1")
    separable(np.zeros((1, 5, 5, 3), "float32"))
    names = [n for n, _ in separable.named_parameters()]
    assert names == ["depthwise_kernel", "pointwise_kernel", "bias"]
    config = separable.get_config()
    assert config["depth_multiplier"] == 2 and config["pointwise_regularizer"] is not None
    assert layers.SeparableConv2D.from_config(config).get_config() == config
    depthwise = layers.DepthwiseConv2D((3, 2), depth_multiplier=3, name="dw")
    config = depthwise.get_config()
    assert config["kernel_size"] == (3, 2) and "depthwise_initializer" in config
    assert "filters" not in config
    assert layers.DepthwiseConv2D.from_config(config).get_config() == config


def test_depthwise_channels_first_and_errors():
    layer = layers.DepthwiseConv2D(3, data_format="channels_first", depth_multiplier=2)
    assert tuple(layer(np.zeros((1, 3, 6, 6), "float32")).shape) == (1, 6, 4, 4)
    with pytest.raises(ValueError, match="depth_multiplier"):
        layers.DepthwiseConv2D(3, depth_multiplier=0)
    with pytest.raises(ValueError, match=r"rank 3 \(batch, steps, channels\)"):
        layers.SeparableConv1D(2, 3)(np.zeros((1, 4, 4, 2), "float32"))
