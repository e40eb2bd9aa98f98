"""RandomCrop, RandomContrast, RandomBrightness: windows, value statistics, Keras's outputs."""

from pathlib import Path

import numpy as np
import pytest
import torch

import strata
from strata import layers

FIXTURES = np.load(Path(__file__).parent / "fixtures" / "augmentation.npz")


def test_crop_of_a_too_small_image_is_the_central_square_resized():
    # 3 x 8 to 4 x 4: the central 3 x 3 window (columns 2-4), resized bilinearly.
    small = torch.from_numpy(FIXTURES["small"])
    window = small[:, :, 2:5].permute(0, 3, 1, 2)
    expected = torch.nn.functional.interpolate(window, size=(4, 4), mode="bilinear")
    for training in (True, False):
        got = layers.RandomCrop(4, 4, seed=0)(small, training=training)
        torch.testing.assert_close(got, expected.permute(0, 2, 3, 1))


def test_inference_crop_of_a_larger_image_is_central():
    image = torch.arange(36.0).reshape(1, 6, 6, 1)
    got = layers.RandomCrop(2, 2)(image)[0, :, :, 0]
    # The central 6 x 6 window (the whole image) resized to 2 x 2: bilinear at half-pixel
    # centres reads rows and columns 1 and 4 exactly.
    torch.testing.assert_close(got, image[0, [1, 4]][:, [1, 4], 0])
    got = layers.RandomCrop(2, 2)(torch.arange(16.0).reshape(1, 4, 4, 1))[0, :, :, 0]
    torch.testing.assert_close(got, torch.tensor([[2.5, 4.5], [10.5, 12.5]]))


def test_crop_in_inference_is_the_central_window():
    narrow = torch.from_numpy(FIXTURES["narrow"])  # 3 x 9, target 3 x 5
    got = layers.RandomCrop(3, 5)(narrow).numpy()
    np.testing.assert_array_equal(got, FIXTURES["crop_center"])
    model = strata.Sequential([strata.Input((3, 9, 2)), layers.RandomCrop(3, 5, seed=1)])
    np.testing.assert_array_equal(model.predict(FIXTURES["narrow"], verbose=0), got)


def test_training_crops_are_windows_at_random_places_per_image():
    images = torch.arange(50 * 6 * 7, dtype=torch.float32).reshape(50, 6, 7, 1)
    out = layers.RandomCrop(3, 4, seed=5)(images, training=True)
    assert out.shape == (50, 3, 4, 1)
    tops, lefts = [], []
    for image, crop in zip(images[..., 0], out[..., 0]):
        top, left = divmod(int(crop[0, 0] - image[0, 0]), 7)
        torch.testing.assert_close(crop, image[top : top + 3, left : left + 4])
        tops.append(top)
        lefts.append(left)
    assert set(tops) == {0, 1, 2, 3} and set(lefts) == {0, 1, 2, 3}  # every offset occurs
    again = layers.RandomCrop(3, 4, seed=5)(images, training=True)
    torch.testing.assert_close(again, out)


def test_crop_to_the_full_size_is_the_identity_and_bad_sizes_are_refused():
    images = torch.rand(3, 4, 5, 2)
    torch.testing.assert_close(layers.RandomCrop(4, 5)(images, training=True), images)
    torch.testing.assert_close(layers.RandomCrop(4, 5)(images), images)
    with pytest.raises(ValueError, match="RandomCrop expected `height` as a positive integer"):
        layers.RandomCrop(0, 3)


def test_brightness_matches_keras_at_fixed_deltas():
    images = torch.from_numpy(FIXTURES["images"])
    for factor, name in (((0.2, 0.2), "brightness"), ((-0.5, -0.5), "brightness_clip")):
        got = layers.RandomBrightness(factor)(images, training=True).numpy()
        np.testing.assert_allclose(got, FIXTURES[name], rtol=1e-6, atol=1e-4)


def test_brightness_deltas_cover_the_range_and_are_one_per_image():
    images = torch.full((400, 3, 3, 3), 0.5)
    out = layers.RandomBrightness(0.2, value_range=(0, 1), seed=3)(images, training=True)
    per_image = out.flatten(1)
    assert bool((per_image == per_image[:, :1]).all())  # one delta for every pixel and channel
    deltas = per_image[:, 0] - 0.5
    assert -0.2 <= float(deltas.min()) < -0.18 and 0.18 < float(deltas.max()) <= 0.2
    assert abs(float(deltas.mean())) < 0.02
    clipped = layers.RandomBrightness((0.6, 0.9), value_range=(0, 1))(images, training=True)
    assert float(clipped.max()) == 1.0


def test_contrast_scales_deviations_from_the_channel_mean():
    images = torch.rand(300, 4, 5, 3) * 200 + 20
    out = layers.RandomContrast(0.5, value_range=(-1e4, 1e4), seed=2)(images, training=True)
    mean = images.mean(dim=(1, 2), keepdim=True)
    # The channel means stay; deviations are scaled by one factor per image in [0.5, 1.5].
    torch.testing.assert_close(out.mean(dim=(1, 2), keepdim=True), mean, atol=1e-3, rtol=1e-5)
    ratio = (out - mean) / (images - mean)
    factors = ratio.flatten(1).median(dim=1).values
    torch.testing.assert_close(ratio, factors.view(-1, 1, 1, 1).expand_as(ratio), atol=1e-3, rtol=0)
    assert 0.5 <= float(factors.min()) < 0.55 and 1.45 < float(factors.max()) <= 1.5
    clipped = layers.RandomContrast((0.0, 1.0), seed=1)(images * 2, training=True)
    assert 0.0 <= float(clipped.min()) and float(clipped.max()) <= 255.0


@pytest.mark.parametrize(
    "layer",
    [layers.RandomContrast(0.0), layers.RandomBrightness(0.0), layers.RandomCrop(5, 6)],
    ids=lambda layer: type(layer).__name__,
)
def test_zero_factor_is_the_identity(layer):
    images = torch.rand(4, 5, 6, 3) * 255
    torch.testing.assert_close(layer(images, training=True), images)
    torch.testing.assert_close(layer(images), images)


@pytest.mark.parametrize("dtype", ["float64", "float16"])
def test_dtypes_are_kept(dtype):
    images = (torch.rand(2, 5, 6, 3) * 255).to(getattr(torch, dtype))
    for layer in (
        layers.RandomContrast(0.3, dtype=dtype),
        layers.RandomBrightness(0.3, dtype=dtype),
        layers.RandomCrop(3, 3, dtype=dtype),
    ):
        assert layer(images, training=True).dtype == getattr(torch, dtype)


def test_value_range_and_factor_checks():
    assert layers.RandomBrightness(0.1, value_range=(1, 0)).value_range == [0, 1]
    with pytest.raises(ValueError, match="RandomBrightness expected `value_range`"):
        layers.RandomBrightness(0.1, value_range=(0, 1, 2))
    with pytest.raises(ValueError, match="RandomContrast expected `factor`"):
        layers.RandomContrast(1.5)
    with pytest.raises(ValueError, match="RandomBrightness expected `factor`"):
        layers.RandomBrightness((0.1, 2.0))
