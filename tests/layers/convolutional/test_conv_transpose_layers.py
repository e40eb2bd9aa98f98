"""Transposed convolutions: Keras's output sizes, torch references, and the adjoint property."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from strata import layers


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def _with_weights(layer, shape):
    layer(np.zeros(shape, "float32"))
    weights = [_rand(*w.shape, seed=20 + i) for i, w in enumerate(layer.get_weights())]
    layer.set_weights(weights)
    return weights


@pytest.mark.parametrize(
    "size, kernel, strides, padding, output_padding, dilation, expected",
    [
        # Keras's formula: valid -> n * s + max(k - s, 0); same -> n * s; with output_padding:
        # (n - 1) * s + k - 2 * pad + output_padding, pad = k // 2 (same) or 0 (valid).
        (5, 3, 2, "valid", None, 1, 11),
        (5, 3, 2, "same", None, 1, 10),
        (5, 4, 2, "same", None, 1, 10),
        (5, 2, 3, "valid", None, 1, 15),
        (5, 3, 2, "valid", 1, 1, 12),
        (5, 3, 2, "same", 1, 1, 10),
        (5, 3, 2, "same", 0, 1, 9),
        (5, 3, 1, "valid", None, 2, 9),
        (5, 3, 1, "same", None, 2, 5),
        (4, 5, 3, "same", 2, 1, 12),
    ],
)
def test_output_length_follows_keras_formula(
    size, kernel, strides, padding, output_padding, dilation, expected
):
    layer = layers.Conv1DTranspose(
        2, kernel, strides, padding, output_padding=output_padding, dilation_rate=dilation
    )
    out = layer(_rand(1, size, 3))
    assert tuple(out.shape) == (1, expected, 2)
    assert layer.compute_output_shape((None, size, 3)) == (None, expected, 2)


def _numpy_transpose1d(x, kernel, bias, stride, start, length, dilation=1):
    """Scatter every input step through the Keras kernel (k, out, in), crop [start, start+len)."""
    steps = x.shape[1]
    full = np.zeros(
        (
            x.shape[0],
            (steps - 1) * stride + (kernel.shape[0] - 1) * dilation + 1 + length,
            kernel.shape[1],
        )
    )
    for i in range(steps):
        for j in range(kernel.shape[0]):
            full[:, i * stride + j * dilation] += x[:, i].astype("float64") @ kernel[j].T
    return full[:, start : start + length] + bias


@pytest.mark.parametrize(
    "size, kernel, strides, padding, output_padding, start, length",
    [
        (5, 3, 2, "same", None, 0, 10),  # total crop 1: none at the start (TensorFlow)
        (5, 4, 2, "same", None, 1, 10),
        (5, 3, 2, "valid", None, 0, 11),
        (5, 2, 3, "valid", None, 0, 15),  # one zero position past the full output
        (5, 3, 2, "same", 0, 1, 9),  # total crop 2: one at each end
        (5, 5, 2, "same", None, 1, 10),
        (4, 5, 3, "same", 2, 1, 12),
    ],
)
def test_conv1d_transpose_matches_numpy_scatter(
    size, kernel, strides, padding, output_padding, start, length
):
    layer = layers.Conv1DTranspose(3, kernel, strides, padding, output_padding=output_padding)
    x = _rand(2, size, 4)
    weight, bias = _with_weights(layer, x.shape)
    expected = _numpy_transpose1d(x, weight, bias, strides, start, length)
    np.testing.assert_allclose(layer(x).detach().numpy(), expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(
    "kernel, strides, padding, output_padding, torch_padding",
    [
        (4, 2, "same", None, 1),
        (3, 2, "valid", None, 0),
        (3, 2, "valid", 1, 0),
        (3, 1, "same", None, 1),
    ],
)
def test_conv2d_transpose_matches_torch(kernel, strides, padding, output_padding, torch_padding):
    layer = layers.Conv2DTranspose(
        4, kernel, strides, padding, output_padding=output_padding, activation="relu"
    )
    x = _rand(2, 5, 6, 3)
    weight, bias = _with_weights(layer, x.shape)
    # Keras's (kh, kw, out, in) is torch's (in, out, kh, kw) reordered.
    torch_weight = torch.from_numpy(weight).permute(3, 2, 0, 1)
    expected = torch.relu(
        F.conv_transpose2d(
            torch.from_numpy(x).permute(0, 3, 1, 2),
            torch_weight,
            torch.from_numpy(bias),
            stride=strides,
            padding=torch_padding,
            output_padding=output_padding or 0,
        )
    ).permute(0, 2, 3, 1)
    torch.testing.assert_close(layer(x), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kernel, strides", [(3, 2), (4, 2), (5, 3), (2, 2)])
def test_conv2d_transpose_is_the_gradient_of_conv2d(kernel, strides):
    """As in TensorFlow: with the same kernel array, Conv2DTranspose is Conv2D's adjoint."""
    conv = layers.Conv2D(3, kernel, strides=strides, padding="same", use_bias=False)
    conv(np.zeros((1, 10, 9, 4), "float32"))
    transpose = layers.Conv2DTranspose(4, kernel, strides=strides, padding="same", use_bias=False)
    transpose(np.zeros((1, 4, 3, 3), "float32"))
    kernel_w = _rand(kernel, kernel, 4, 3)
    conv.set_weights([kernel_w])
    transpose.set_weights([kernel_w])
    size = (4 * strides, 3 * strides)
    x = torch.zeros((2, *size, 4), requires_grad=True)
    upstream = torch.from_numpy(_rand(2, 4, 3, 3, seed=5))
    (conv(x) * upstream).sum().backward()
    torch.testing.assert_close(transpose(upstream), x.grad, rtol=1e-5, atol=1e-5)


def test_conv3d_transpose_and_channels_first():
    layer = layers.Conv3DTranspose(2, 3, strides=2, padding="same", data_format="channels_first")
    x = _rand(1, 3, 2, 3, 4)
    weight, bias = _with_weights(layer, x.shape)
    assert weight.shape == (3, 3, 3, 2, 3)
    out = layer(x)
    assert tuple(out.shape) == (1, 2, 4, 6, 8)
    # Kernel 3 with stride 2: one position cropped at the end, none at the start.
    full = F.conv_transpose3d(
        torch.from_numpy(x),
        torch.from_numpy(weight).permute(4, 3, 0, 1, 2),
        torch.from_numpy(bias),
        stride=2,
    )
    torch.testing.assert_close(out, full[:, :, :4, :6, :8], rtol=1e-5, atol=1e-5)


def test_parameter_counts_and_config():
    layer = layers.Conv2DTranspose(16, 3)
    layer(np.zeros((1, 5, 5, 32), "float32"))
    assert layer.count_params() == 9 * 16 * 32 + 16
    assert [w.shape for w in layer.get_weights()] == [(3, 3, 16, 32), (16,)]
    config = layers.Conv2DTranspose(8, 3, strides=2, output_padding=1).get_config()
    assert config["output_padding"] == (1, 1) and config["strides"] == (2, 2)
    assert layers.Conv2DTranspose.from_config(config).get_config() == config
    with pytest.raises(ValueError, match="output_padding"):
        layers.Conv2DTranspose(8, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match="padding"):
        layers.Conv1DTranspose(8, 3, padding="causal")
