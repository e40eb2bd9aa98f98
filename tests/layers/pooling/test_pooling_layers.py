"""Max and average pooling vs torch (valid) and a NumPy reference (TensorFlow's same padding)."""

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import strata
from strata import layers


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def _numpy_pool1d(x, mode, size, stride, padding):
    """Pool (batch, steps, channels) over windows; "same": TF padding, padded cells ignored."""
    steps = x.shape[1]
    if padding == "same":
        count = -(-steps // stride)
        before = max((count - 1) * stride + size - steps, 0) // 2
    else:
        count, before = (steps - size) // stride + 1, 0
    out = []
    for i in range(count):
        start = i * stride - before
        window = x[:, max(start, 0) : min(start + size, steps)]
        out.append(window.max(axis=1) if mode == "max" else window.mean(axis=1))
    return np.stack(out, axis=1)


@pytest.mark.parametrize("mode", ["max", "average"])
def test_pool1d_same_matches_numpy_for_every_small_case(mode):
    """Covers symmetric, ceil-mode and explicitly padded cases (stride 1 with even windows)."""
    cls = layers.MaxPooling1D if mode == "max" else layers.AveragePooling1D
    # All-negative inputs: a zero pad would win a max; counted zeros would shrink a mean.
    x = -np.abs(_rand(2, 11, 3)) - 1.0
    for steps, size, stride in itertools.product(range(1, 12), range(1, 5), range(1, 4)):
        data = x[:, :steps]
        got = cls(size, stride, padding="same")(data).detach().numpy()
        expected = _numpy_pool1d(data, mode, size, stride, "same")
        np.testing.assert_allclose(
            got, expected, rtol=1e-6, atol=1e-6, err_msg=f"steps={steps} size={size} s={stride}"
        )


@pytest.mark.parametrize("mode", ["max", "average"])
def test_pool2d_same_asymmetric_matches_numpy(mode):
    cls = layers.MaxPooling2D if mode == "max" else layers.AveragePooling2D
    x = -np.abs(_rand(2, 6, 5, 3)) - 1.0
    for size, stride in [((2, 2), (1, 1)), ((3, 3), (2, 2)), ((2, 3), (2, 1)), ((3, 2), (3, 2))]:
        got = cls(size, stride, padding="same")(x).detach().numpy()
        # Separable reference: pooling rows then columns equals 2D pooling for max and for
        # the count-excluding mean (each window is a product of two intervals).
        rows = _numpy_pool1d(x, mode, size[0], stride[0], "same")
        cols = _numpy_pool1d(rows.transpose(0, 2, 1, 3), mode, size[1], stride[1], "same")
        expected = cols.transpose(0, 2, 1, 3)
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6, err_msg=f"{size} {stride}")


def test_average_pooling_same_excludes_padding_by_hand():
    x = np.arange(1, 5, dtype="float32").reshape(1, 4, 1)  # [1, 2, 3, 4]
    got = layers.AveragePooling1D(3, strides=1, padding="same")(x).detach().numpy()
    np.testing.assert_allclose(got[0, :, 0], [1.5, 2.0, 3.0, 3.5], rtol=1e-6)
    got = layers.AveragePooling1D(2, strides=1, padding="same")(x).detach().numpy()
    np.testing.assert_allclose(got[0, :, 0], [1.5, 2.5, 3.5, 4.0], rtol=1e-6)


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("mode", ["max", "average"])
def test_valid_pooling_matches_torch(rank, mode):
    cls = {
        ("max", 1): layers.MaxPooling1D,
        ("max", 2): layers.MaxPooling2D,
        ("max", 3): layers.MaxPooling3D,
        ("average", 1): layers.AveragePooling1D,
        ("average", 2): layers.AveragePooling2D,
        ("average", 3): layers.AveragePooling3D,
    }[(mode, rank)]
    function = {
        ("max", 1): F.max_pool1d,
        ("max", 2): F.max_pool2d,
        ("max", 3): F.max_pool3d,
        ("average", 1): F.avg_pool1d,
        ("average", 2): F.avg_pool2d,
        ("average", 3): F.avg_pool3d,
    }[(mode, rank)]
    x = _rand(2, *(7, 6, 5)[:rank], 3)
    got = cls(3, 2)(x)
    expected = function(torch.from_numpy(x).movedim(-1, 1), 3, 2).movedim(1, -1)
    torch.testing.assert_close(got, expected)


def test_channels_first_and_default_strides():
    x = _rand(2, 3, 8, 6)
    layer = layers.MaxPooling2D(data_format="channels_first")
    assert layer.strides == (2, 2)
    torch.testing.assert_close(layer(x), F.max_pool2d(torch.from_numpy(x), 2))
    layer = layers.AveragePooling2D((2, 3), data_format="channels_first")
    torch.testing.assert_close(layer(x), F.avg_pool2d(torch.from_numpy(x), (2, 3)))


def test_symbolic_shapes_and_config():
    x = strata.Input(shape=(7, 7, 4))
    assert tuple(layers.MaxPooling2D(3, 2, padding="same")(x).shape) == (None, 4, 4, 4)
    assert tuple(layers.AveragePooling2D(3, 2)(x).shape) == (None, 3, 3, 4)
    assert tuple(layers.MaxPooling1D()(strata.Input(shape=(9, 2))).shape) == (None, 4, 2)
    config = layers.AveragePooling2D(3, padding="SAME", name="pool").get_config()
    assert config["pool_size"] == (3, 3) and config["strides"] == (3, 3)
    assert config["padding"] == "same" and config["data_format"] == "channels_last"
    assert layers.AveragePooling2D.from_config(config).get_config() == config


def test_aliases_and_errors():
    assert layers.MaxPool2D is layers.MaxPooling2D and layers.AvgPool3D is layers.AveragePooling3D
    assert layers.MaxPool1D is layers.MaxPooling1D and layers.AvgPool1D is layers.AveragePooling1D
    with pytest.raises(ValueError, match="padding"):
        layers.MaxPooling1D(2, padding="causal")
    with pytest.raises(ValueError, match="pool_size"):
        layers.MaxPooling2D((2, 2, 2))
    with pytest.raises(ValueError, match=r"rank 4 \(batch, height, width, channels\)"):
        layers.MaxPooling2D()(np.zeros((2, 4, 4), "float32"))
