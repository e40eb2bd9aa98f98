"""RandomErasing, RandomGaussianBlur, RandomPerspective, RandomElasticTransform."""

from pathlib import Path

import numpy as np
import pytest
import torch

from strata import layers

FIXTURES = np.load(Path(__file__).parent / "fixtures" / "augmentation.npz")
IMAGES = torch.from_numpy(FIXTURES["images"])  # (2, 6, 7, 2), values 0-255


def test_blur_at_fixed_widths_matches_keras():
    blur = layers.RandomGaussianBlur((1.0, 1.0), kernel_size=5, sigma=(0.7, 0.7))
    got = blur(IMAGES, training=True).numpy()
    np.testing.assert_allclose(got, FIXTURES["blur"], rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_perspective_warp_matches_keras_at_given_corners(interpolation):
    layer = layers.RandomPerspective(interpolation=interpolation, fill_value=7.0)
    start = torch.from_numpy(FIXTURES["perspective_start"])
    end = torch.from_numpy(FIXTURES["perspective_end"])
    got = layer.warp(IMAGES.permute(0, 3, 1, 2), start, end).permute(0, 2, 3, 1).numpy()
    np.testing.assert_allclose(got, FIXTURES[f"perspective_{interpolation}"], atol=2e-3, rtol=0)


def test_perspective_with_unmoved_corners_is_the_identity():
    layer = layers.RandomPerspective(factor=(1.0, 1.0), scale=0.0)
    torch.testing.assert_close(layer(IMAGES, training=True), IMAGES, atol=1e-3, rtol=0)
    warped = layers.RandomPerspective((1.0, 1.0), scale=0.6, seed=1)(IMAGES, training=True)
    assert not torch.allclose(warped, IMAGES)


def test_erasing_overwrites_one_rectangle_per_chosen_image():
    images = torch.full((200, 20, 20, 1), 100.0)
    erase = layers.RandomErasing(scale=(0.1, 0.3), fill_value=0.0, seed=3)
    out = erase(images, training=True)[..., 0]
    erased = out == 0
    touched = erased.flatten(1).any(1)
    assert 60 < int(touched.sum()) < 140  # factor 1.0: probability drawn in [0, 1], so ~1/2
    for mask in erased[touched]:
        rows, cols = mask.any(1).nonzero().flatten(), mask.any(0).nonzero().flatten()
        box = mask[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
        assert bool(box.all())  # a filled rectangle
        # sides are sqrt(0.1)..sqrt(0.3) of 20 pixels: 6.3 to 11 pixels (+1 for the grid)
        assert 6 <= len(rows) <= 12 and 6 <= len(cols) <= 12


def test_erasing_noise_and_per_channel_fill():
    images = torch.full((8, 10, 10, 3), 50.0)
    noisy = layers.RandomErasing((1.0, 1.0), seed=0)(images, training=True)
    changed = noisy != 50.0
    assert bool(changed.any()) and float(noisy.min()) >= 0 and float(noisy.max()) <= 255
    coloured = layers.RandomErasing((1.0, 1.0), fill_value=(1, 2, 3), seed=0)(images, training=True)
    marked = coloured[coloured[..., 0] == 1.0]
    assert len(marked) > 0 and bool((marked == torch.tensor([1.0, 2.0, 3.0])).all())
    with pytest.raises(ValueError, match="RandomErasing expected `fill_value`"):
        layers.RandomErasing(fill_value="black")


def test_blur_keeps_the_mean_inside_and_probability_zero_is_the_identity():
    images = torch.rand(4, 12, 12, 3) * 255
    blurred = layers.RandomGaussianBlur((1.0, 1.0), kernel_size=5, sigma=(0.5, 1.0))(
        images, training=True
    )
    inner = (slice(None), slice(3, -3), slice(3, -3))
    assert blurred[inner].std() < images[inner].std()  # smoother
    torch.testing.assert_close(
        blurred.mean(dim=(1, 2))[..., None], images.mean(dim=(1, 2))[..., None], atol=15, rtol=0
    )
    none = layers.RandomGaussianBlur(0.0)
    torch.testing.assert_close(none(images, training=True), images)
    with pytest.raises(ValueError, match="RandomGaussianBlur expected `kernel_size`"):
        layers.RandomGaussianBlur(kernel_size=4)


def test_elastic_transform_moves_pixels_smoothly_and_zero_scale_is_identity():
    images = torch.rand(3, 24, 24, 1) * 255
    bend = layers.RandomElasticTransform((1.0, 1.0), scale=(1.0, 1.0), seed=2)
    out = bend(images, training=True)
    assert out.shape == images.shape and not torch.allclose(out, images)
    assert float(out.min()) >= 0 and float(out.max()) <= 255
    # A constant image stays constant under any displacement (reflect fill).
    flat = torch.full((2, 24, 24, 1), 9.0)
    torch.testing.assert_close(bend(flat, training=True), flat)
    still = layers.RandomElasticTransform(scale=0.0)
    torch.testing.assert_close(still(images, training=True), images)
    again = layers.RandomElasticTransform((1.0, 1.0), scale=(1.0, 1.0), seed=2)
    torch.testing.assert_close(again(images, training=True), out)


@pytest.mark.parametrize(
    "layer",
    [
        layers.RandomErasing(seed=1),
        layers.RandomGaussianBlur(seed=1),
        layers.RandomPerspective(seed=1),
        layers.RandomElasticTransform(seed=1),
    ],
    ids=lambda layer: type(layer).__name__,
)
def test_inference_passes_through_and_dtypes_are_kept(layer):
    torch.testing.assert_close(layer(IMAGES), IMAGES)
    for dtype in (torch.float64, torch.float16):
        cast = type(layer).from_config({**layer.get_config(), "dtype": str(dtype)[6:]})
        assert cast(IMAGES.to(dtype), training=True).dtype == dtype
