"""Resizing and CenterCrop equal Keras 3.15's outputs (fixtures from tools/keras_fixtures)."""

from pathlib import Path

import numpy as np
import pytest
import torch

from strata import layers

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def resized():
    return np.load(FIXTURES / "resizing.npz")


@pytest.mark.parametrize("interp", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("extra", ["plain", "crop", "pad"])
@pytest.mark.parametrize("size", [(3, 4), (8, 5)])
def test_resizing_matches_keras(resized, interp, extra, size):
    kwargs = {"interpolation": interp}
    if extra == "crop":
        kwargs["crop_to_aspect_ratio"] = True
    if extra == "pad":
        kwargs.update(pad_to_aspect_ratio=True, fill_value=3.0)
    layer = layers.Resizing(*size, **kwargs)
    key = f"{interp}_{extra}_{size[0]}x{size[1]}"
    out = layer(resized["images"])
    assert out.dtype == torch.float32
    np.testing.assert_allclose(out.numpy(), resized[key], rtol=1e-5, atol=1e-3)
    as_bytes = layer(resized["bytes"])
    assert as_bytes.dtype == torch.uint8
    np.testing.assert_array_equal(as_bytes.numpy(), resized[key + "_uint8"])


def test_resizing_channels_first_with_antialias(resized):
    layer = layers.Resizing(4, 3, data_format="channels_first", antialias=True)
    out = layer(resized["images"].transpose(0, 3, 1, 2))
    np.testing.assert_allclose(out.numpy(), resized["channels_first_antialias"], atol=1e-3)


def test_resizing_rejects_bad_arguments():
    with pytest.raises(ValueError, match="interpolation"):
        layers.Resizing(2, 2, interpolation="lanczos3")
    with pytest.raises(ValueError, match="at most one"):
        layers.Resizing(2, 2, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
    with pytest.raises(ValueError, match="height"):
        layers.Resizing(0, 2)
    with pytest.raises(ValueError, match="rank 3 or 4"):
        layers.Resizing(2, 2)(torch.zeros(5, 5))


@pytest.mark.parametrize("key", ["3x4", "6x7", "2x2", "8x5", "9x9"])
def test_center_crop_matches_keras(key):
    data = np.load(FIXTURES / "center_crop.npz")
    height, width = map(int, key.split("x"))
    out = layers.CenterCrop(height, width)(data["images"])
    np.testing.assert_allclose(out.numpy(), data[key], rtol=1e-5, atol=1e-5)


def test_center_crop_channels_first_and_unbatched():
    data = np.load(FIXTURES / "center_crop.npz")
    first = layers.CenterCrop(4, 3, data_format="channels_first")
    np.testing.assert_allclose(
        first(data["images"].transpose(0, 3, 1, 2)).numpy(), data["channels_first"], atol=1e-6
    )
    np.testing.assert_allclose(
        layers.CenterCrop(3, 3)(data["images"][0]).numpy(), data["unbatched"], atol=1e-6
    )
