"""Conv1D/2D/3D against torch and a NumPy reference with the same (Keras-layout) weights."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import strata
from strata import layers


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def _numpy_conv2d(x, kernel, bias, strides, pads, dilation=(1, 1)):
    """Direct NHWC convolution with a Keras kernel (kh, kw, in, out); pads = (t, b, l, r)."""
    top, bottom, left, right = pads
    x = np.pad(x.astype("float64"), ((0, 0), (top, bottom), (left, right), (0, 0)))
    kh, kw, _, out = kernel.shape
    eh, ew = (kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1
    oh = (x.shape[1] - eh) // strides[0] + 1
    ow = (x.shape[2] - ew) // strides[1] + 1
    y = np.zeros((x.shape[0], oh, ow, out))
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    row = i * strides[0] + a * dilation[0]
                    col = j * strides[1] + b * dilation[1]
                    y[:, i, j] += x[:, row, col] @ kernel[a, b]
    return y + (0 if bias is None else bias)


def _with_weights(layer, shape, seed=1):
    layer(np.zeros(shape, "float32"))
    weights = [_rand(*w.shape, seed=seed + i) for i, w in enumerate(layer.get_weights())]
    layer.set_weights(weights)
    return weights


@pytest.mark.parametrize(
    "size, kernel, strides, padding, pads",
    [
        # TensorFlow's same padding: the extra goes to the bottom / right.
        ((7, 6), 3, 2, "same", (1, 1, 0, 1)),
        ((8, 8), 4, 2, "same", (1, 2, 1, 2)),
        ((5, 5), 2, 1, "same", (0, 1, 0, 1)),
        ((6, 7), 3, 1, "same", (1, 1, 1, 1)),
        ((7, 6), 3, 2, "valid", (0, 0, 0, 0)),
        ((6, 9), (2, 3), (1, 3), "same", (0, 1, 0, 0)),
    ],
)
def test_conv2d_matches_numpy_reference(size, kernel, strides, padding, pads):
    layer = layers.Conv2D(4, kernel, strides=strides, padding=padding)
    x = _rand(2, *size, 3)
    kernel_w, bias = _with_weights(layer, x.shape)
    got = layer(x).detach().numpy()
    strides = (strides, strides) if isinstance(strides, int) else strides
    expected = _numpy_conv2d(x, kernel_w, bias, strides, pads)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def test_conv2d_dilation_matches_numpy_reference():
    layer = layers.Conv2D(3, 3, dilation_rate=2, padding="same")
    x = _rand(1, 9, 8, 2)
    kernel, bias = _with_weights(layer, x.shape)
    expected = _numpy_conv2d(x, kernel, bias, (1, 1), (2, 2, 2, 2), dilation=(2, 2))
    np.testing.assert_allclose(layer(x).detach().numpy(), expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_conv_nd_matches_torch_functional(rank, data_format):
    cls = {1: layers.Conv1D, 2: layers.Conv2D, 3: layers.Conv3D}[rank]
    function = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[rank]
    spatial = (7, 6, 5)[:rank]
    layer = cls(6, 3, dilation_rate=2, groups=2, data_format=data_format, activation="relu")
    shape = (2, *spatial, 4) if data_format == "channels_last" else (2, 4, *spatial)
    x = _rand(*shape)
    kernel, bias = _with_weights(layer, shape)
    # Keras's (k..., in/groups, out) is torch's (out, in/groups, k...) reordered.
    weight = torch.from_numpy(kernel).permute(rank + 1, rank, *range(rank))
    x_cf = torch.from_numpy(x)
    if data_format == "channels_last":
        x_cf = x_cf.movedim(-1, 1)
    expected = torch.relu(function(x_cf, weight, torch.from_numpy(bias), dilation=2, groups=2))
    if data_format == "channels_last":
        expected = expected.movedim(1, -1)
    torch.testing.assert_close(layer(x), expected, rtol=1e-5, atol=1e-5)


def test_conv1d_causal_sees_only_the_past():
    layer = layers.Conv1D(2, 3, padding="causal", dilation_rate=2)
    x = _rand(1, 10, 3)
    kernel, bias = _with_weights(layer, x.shape)
    got = layer(x).detach().numpy()
    # Left padding of (3 - 1) * 2 = 4 steps, then a valid convolution.
    padded = np.pad(x, ((0, 0), (4, 0), (0, 0)))
    expected = _numpy_conv2d(padded[:, :, None], kernel[:, None], bias, (1, 1), (0,) * 4, (2, 1))
    np.testing.assert_allclose(got, expected[:, :, 0], rtol=1e-4, atol=1e-4)
    changed = x.copy()
    changed[:, 6:] += 5.0
    np.testing.assert_allclose(layer(changed).detach().numpy()[:, :6], got[:, :6], atol=1e-6)


def test_conv1d_same_with_stride_pads_at_the_end():
    layer = layers.Conv1D(2, 4, strides=3, padding="same")
    x = _rand(2, 10, 3)
    kernel, bias = _with_weights(layer, x.shape)
    # ceil(10 / 3) = 4 outputs need 3 * 3 + 4 = 13 positions: 1 before, 2 after.
    expected = _numpy_conv2d(x[:, :, None], kernel[:, None], bias, (3, 1), (1, 2, 0, 0))
    np.testing.assert_allclose(layer(x).detach().numpy(), expected[:, :, 0], rtol=1e-4, atol=1e-4)


def test_conv3d_same_stride_matches_padded_torch_reference():
    layer = layers.Conv3D(2, 3, strides=2, padding="same")
    x = _rand(1, 5, 6, 4, 2)
    kernel, bias = _with_weights(layer, x.shape)
    x_cf = torch.from_numpy(x).movedim(-1, 1)
    # depth 5 -> 3 outputs: total 2 -> (1, 1); height 6 -> 3: total 1 -> (0, 1);
    # width 4 -> 2: total 1 -> (0, 1)
    padded = F.pad(x_cf, (0, 1, 0, 1, 1, 1))
    weight = torch.from_numpy(kernel).permute(4, 3, 0, 1, 2)
    expected = F.conv3d(padded, weight, torch.from_numpy(bias), stride=2).movedim(1, -1)
    torch.testing.assert_close(layer(x), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "make, input_shape, expected",
    [
        (lambda: layers.Conv2D(32, 3), (28, 28, 3), 896),
        (lambda: layers.Conv2D(64, 3, groups=4), (10, 10, 32), 9 * 8 * 64 + 64),
        (lambda: layers.Conv2D(8, 5, use_bias=False), (10, 10, 3), 600),
        (lambda: layers.Conv1D(32, 5), (20, 16), 5 * 16 * 32 + 32),
        (lambda: layers.Conv3D(8, 3), (6, 6, 6, 4), 27 * 4 * 8 + 8),
    ],
)
def test_parameter_counts_equal_keras(make, input_shape, expected):
    layer = make()
    layer(strata.Input(shape=input_shape))
    assert layer.count_params() == expected


def test_weights_use_keras_layout_and_torch_storage():
    layer = layers.Conv2D(5, (2, 3), groups=1)
    layer(np.zeros((1, 6, 6, 4), "float32"))
    assert [w.shape for w in layer.get_weights()] == [(2, 3, 4, 5), (5,)]
    assert tuple(layer.kernel.shape) == (5, 4, 2, 3)
    assert [name for name, _ in layer.named_parameters()] == ["kernel", "bias"]


def test_data_format_defaults_to_backend_setting():
    assert layers.Conv2D(2, 3).data_format == "channels_last"
    strata.backend.set_image_data_format("channels_first")
    try:
        layer = layers.Conv2D(2, 3)
        assert layer.data_format == "channels_first"
        assert tuple(layer(np.zeros((1, 3, 6, 6), "float32")).shape) == (1, 2, 4, 4)
    finally:
        strata.backend.set_image_data_format("channels_last")


def test_get_config_has_keras_keys_and_round_trips():
    layer = layers.Conv2D(
        8, 3, strides=2, padding="SAME", activation="relu", kernel_regularizer="l2", name="c"
    )
    config = layer.get_config()
    for key in (
        "filters",
        "kernel_size",
        "strides",
        "padding",
        "data_format",
        "dilation_rate",
        "groups",
        "activation",
        "use_bias",
        "kernel_initializer",
        "bias_initializer",
        "kernel_regularizer",
        "bias_regularizer",
        "kernel_constraint",
        "bias_constraint",
    ):
        assert key in config
    assert config["kernel_size"] == (3, 3) and config["strides"] == (2, 2)
    assert config["padding"] == "same" and config["activation"] == "relu"
    clone = layers.Conv2D.from_config(config)
    assert clone.get_config() == config


def test_aliases_are_the_same_classes():
    assert layers.Convolution1D is layers.Conv1D
    assert layers.Convolution2D is layers.Conv2D
    assert layers.Convolution3D is layers.Conv3D
    assert layers.Convolution2DTranspose is layers.Conv2DTranspose
    assert layers.SeparableConvolution2D is layers.SeparableConv2D


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: layers.Conv2D(4, 3, padding="causal"), "padding"),
        (lambda: layers.Conv2D(4, 3, padding="full"), "padding"),
        (lambda: layers.Conv2D(0, 3), "filters"),
        (lambda: layers.Conv2D(6, 3, groups=4), "groups"),
        (lambda: layers.Conv2D(4, (3, 3, 3)), "kernel_size"),
        (lambda: layers.Conv2D(4, 3, strides=2, dilation_rate=2), "dilation_rate"),
        (lambda: layers.Conv2D(4, 3, data_format="NHWC"), "data_format"),
    ],
)
def test_invalid_arguments_raise(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_wrong_rank_error_says_what_was_expected():
    with pytest.raises(ValueError) as info:
        layers.Conv2D(3, 3)(np.zeros((2, 5), "float32"))
    assert (
        "Conv2D expected an input of rank 4 (batch, height, width, channels); "
        "received shape (2, 5)." in str(info.value)
    )
    with pytest.raises(ValueError, match=r"divisible by groups=2"):
        layers.Conv1D(4, 3, groups=2)(np.zeros((1, 5, 3), "float32"))


def test_inception_module_branch_shapes():
    """The seed's Inception module (section 7.1.4) on a 32x32 input."""
    x = strata.Input(shape=(32, 32, 3))
    branch_a = layers.Conv2D(128, 1, activation="relu", strides=2)(x)
    branch_b = layers.Conv2D(128, 1, activation="relu")(x)
    branch_b = layers.Conv2D(128, 3, activation="relu", strides=2)(branch_b)
    branch_c = layers.AveragePooling2D(3, strides=2)(x)
    branch_c = layers.Conv2D(128, 3, activation="relu")(branch_c)
    branch_d = layers.Conv2D(128, 1, activation="relu")(x)
    branch_d = layers.Conv2D(128, 3, activation="relu")(branch_d)
    branch_d = layers.Conv2D(128, 3, activation="relu", strides=2)(branch_d)
    shapes = [tuple(b.shape) for b in (branch_a, branch_b, branch_c, branch_d)]
    assert shapes == [
        (None, 16, 16, 128),
        (None, 15, 15, 128),
        (None, 13, 13, 128),
        (None, 14, 14, 128),
    ]
    model = strata.Model(x, [branch_a, branch_b, branch_c, branch_d])
    outputs = model(_rand(2, 32, 32, 3))
    assert [tuple(o.shape[1:3]) for o in outputs] == [(16, 16), (15, 15), (13, 13), (14, 14)]


def test_window_larger_than_input_is_a_clear_error():
    with pytest.raises(ValueError, match=r"Conv2D.*larger than the valid-padded input"):
        layers.Conv2D(2, 5)(strata.Input(shape=(3, 3, 1)))
    with pytest.raises(ValueError, match=r"MaxPooling2D.*larger than"):
        layers.MaxPooling2D(4)(strata.Input(shape=(3, 8, 1)))
    # "same" padding never shrinks below one position.
    assert tuple(layers.Conv2D(2, 5, padding="same")(strata.Input(shape=(3, 3, 1))).shape) == (
        None,
        3,
        3,
        2,
    )
