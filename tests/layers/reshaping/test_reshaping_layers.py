"""UpSampling, ZeroPadding and Cropping (1D-3D) against NumPy, in both data formats."""

import numpy as np
import pytest

import strata
from strata import layers


def _data(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def _first(x):
    """channels_last -> channels_first."""
    return np.moveaxis(x, -1, 1)


def test_upsampling_1d_repeats_timesteps():
    x = _data(2, 3, 4)
    np.testing.assert_array_equal(layers.UpSampling1D(3)(x).numpy(), np.repeat(x, 3, axis=1))


def test_upsampling_2d_nearest_in_both_formats():
    x = _data(2, 3, 4, 5)
    expected = np.repeat(np.repeat(x, 2, axis=1), 3, axis=2)
    np.testing.assert_array_equal(layers.UpSampling2D((2, 3))(x).numpy(), expected)
    out = layers.UpSampling2D((2, 3), data_format="channels_first")(_first(x)).numpy()
    np.testing.assert_array_equal(out, _first(expected))


def _bilinear_axis(x, axis, scale):
    """Half-pixel-centre linear resize along one axis (what Keras's bilinear does)."""
    size = x.shape[axis]
    source = np.clip((np.arange(size * scale) + 0.5) / scale - 0.5, 0, None)
    low = np.floor(source).astype(int)
    high = np.minimum(low + 1, size - 1)
    weight = (source - low).reshape([-1 if a == axis else 1 for a in range(x.ndim)])
    return np.take(x, low, axis=axis) * (1 - weight) + np.take(x, high, axis=axis) * weight


def test_upsampling_2d_bilinear_matches_a_numpy_reference():
    x = _data(2, 3, 4, 2)
    expected = _bilinear_axis(_bilinear_axis(x, 1, 2), 2, 3)
    out = layers.UpSampling2D((2, 3), interpolation="bilinear")(x).numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    first = layers.UpSampling2D((2, 3), "channels_first", "bilinear")(_first(x)).numpy()
    np.testing.assert_allclose(first, _first(expected), rtol=1e-5, atol=1e-6)


def test_upsampling_3d_and_argument_errors():
    x = _data(1, 2, 3, 2, 2)
    expected = np.repeat(np.repeat(np.repeat(x, 2, 1), 1, 2), 3, 3)
    np.testing.assert_array_equal(layers.UpSampling3D((2, 1, 3))(x).numpy(), expected)
    with pytest.raises(ValueError, match="interpolation"):
        layers.UpSampling2D(interpolation="bicubic")
    with pytest.raises(ValueError, match="size"):
        layers.UpSampling2D((2, 0))
    with pytest.raises(ValueError, match="rank 4"):
        layers.UpSampling2D()(strata.Input(shape=(3, 4)))
    with pytest.raises(ValueError, match="data_format"):
        layers.UpSampling2D(data_format="NHWC")


def test_zero_padding_matches_numpy_pad():
    x1 = _data(2, 3, 4)
    np.testing.assert_array_equal(
        layers.ZeroPadding1D((1, 2))(x1).numpy(), np.pad(x1, ((0, 0), (1, 2), (0, 0)))
    )
    x2 = _data(2, 3, 4, 2)
    pads = ((0, 0), (1, 0), (2, 3), (0, 0))
    np.testing.assert_array_equal(
        layers.ZeroPadding2D(((1, 0), (2, 3)))(x2).numpy(), np.pad(x2, pads)
    )
    out = layers.ZeroPadding2D(((1, 0), (2, 3)), data_format="channels_first")(_first(x2))
    np.testing.assert_array_equal(out.numpy(), _first(np.pad(x2, pads)))
    x3 = _data(1, 2, 2, 3, 1)
    np.testing.assert_array_equal(
        layers.ZeroPadding3D((1, 0, 2))(x3).numpy(),
        np.pad(x3, ((0, 0), (1, 1), (0, 0), (2, 2), (0, 0))),
    )


def test_padding_argument_forms_and_errors():
    assert layers.ZeroPadding2D(2).padding == ((2, 2), (2, 2))
    assert layers.ZeroPadding2D((1, 3)).padding == ((1, 1), (3, 3))
    assert layers.ZeroPadding1D(2).get_config()["padding"] == (2, 2)
    with pytest.raises(ValueError, match="padding"):
        layers.ZeroPadding2D((1, 2, 3))
    with pytest.raises(ValueError, match="padding"):
        layers.ZeroPadding2D(-1)
    assert layers.ZeroPadding2D(1)(strata.Input(shape=(None, 4, 3))).shape == (None, None, 6, 3)


def test_cropping_matches_numpy_slicing():
    x1 = _data(2, 6, 3)
    np.testing.assert_array_equal(layers.Cropping1D((1, 2))(x1).numpy(), x1[:, 1:4])
    x2 = _data(2, 5, 6, 2)
    np.testing.assert_array_equal(layers.Cropping2D(((1, 0), (2, 1)))(x2).numpy(), x2[:, 1:, 2:5])
    out = layers.Cropping2D(((1, 0), (2, 1)), data_format="channels_first")(_first(x2))
    np.testing.assert_array_equal(out.numpy(), _first(x2[:, 1:, 2:5]))
    x3 = _data(1, 4, 5, 6, 2)
    np.testing.assert_array_equal(layers.Cropping3D(1)(x3).numpy(), x3[:, 1:3, 1:4, 1:5])


def test_cropping_too_much_is_refused_when_building():
    with pytest.raises(ValueError, match=r"cropping smaller than the input"):
        layers.Cropping2D(((2, 2), (0, 0)))(strata.Input(shape=(4, 5, 3)))
    assert layers.Cropping1D(1)(strata.Input(shape=(None, 3))).shape == (None, None, 3)
