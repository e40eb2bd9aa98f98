"""The colour layers: Keras 3.15's outputs at fixed draws, ranges, identities, dtypes."""

from pathlib import Path

import numpy as np
import pytest
import torch

import strata
from strata import layers

FIXTURES = np.load(Path(__file__).parent / "fixtures" / "augmentation.npz")
RGB = torch.from_numpy(FIXTURES["rgb"])  # (2, 5, 6, 3), values 0-255


def nchw(images):
    return images.permute(0, 3, 1, 2)


def nhwc(images):
    return images.permute(0, 2, 3, 1)


def close(got, name, atol=1e-3):
    np.testing.assert_allclose(np.asarray(got), FIXTURES[name], rtol=1e-5, atol=atol, err_msg=name)


@pytest.mark.parametrize(
    "name, layer",
    [
        ("grayscale", layers.RandomGrayscale(1.0)),
        ("degeneration", layers.RandomColorDegeneration((0.4, 0.4))),
        ("sharpness_soft", layers.RandomSharpness((0.2, 0.2))),
        ("sharpness_sharp", layers.RandomSharpness((0.8, 0.8))),
        ("posterization", layers.RandomPosterization((3, 3))),
        ("invert", layers.RandomInvert((1.0, 1.0))),
        ("auto_contrast", layers.AutoContrast()),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_fixed_settings_match_keras(name, layer):
    close(layer(RGB, training=True), name)


def test_equalization_of_one_image_matches_keras():
    # Keras pools the histogram over the whole batch; strata equalizes each image, so the two
    # agree on a batch of one.
    close(layers.Equalization()(RGB[:1].round(), training=True), "equalization")


def test_hue_saturation_contrast_and_solarization_transforms_match_keras_at_given_draws():
    hue = layers.RandomHue(0.5).turn(nchw(RGB), torch.from_numpy(FIXTURES["hue_shifts"]))
    close(nhwc(hue), "hue", atol=2e-3)
    scales = torch.from_numpy(FIXTURES["saturation_scales"])
    close(nhwc(layers.RandomSaturation(0.5).saturate(nchw(RGB), scales)), "saturation")
    contrast = layers.RandomContrast(0.5).adjust(
        nchw(RGB), torch.from_numpy(FIXTURES["contrast_scales"])
    )
    close(nhwc(contrast), "contrast")
    draws = torch.from_numpy(FIXTURES["solarization_draws"]).view(2, 2, 1, 1, 1)
    solarized = layers.Solarization().solarize(nchw(RGB), draws[:, 0], draws[:, 1])
    close(nhwc(solarized), "solarization")


@pytest.mark.parametrize(
    "layer",
    [
        layers.RandomHue(0.0),
        layers.RandomSaturation((0.5, 0.5)),  # a scale of 0.5 / 0.5 = 1
        layers.RandomColorDegeneration(0.0),
        layers.RandomSharpness((0.5, 0.5)),
        layers.RandomInvert(0.0),
        layers.RandomGrayscale(0.0),
        layers.RandomPosterization((8, 8)),
        layers.Solarization(threshold_factor=(1.0, 1.0)),
        layers.RandomColorJitter(),
    ],
    ids=lambda layer: type(layer).__name__,
)
def test_neutral_factors_are_the_identity(layer):
    images = RGB.round()  # whole numbers: posterization with 8 bits keeps them
    torch.testing.assert_close(layer(images, training=True), images, atol=2e-3, rtol=1e-5)


@pytest.mark.parametrize(
    "layer",
    [
        layers.RandomGrayscale(seed=1),
        layers.RandomHue(0.5, seed=1),
        layers.RandomSaturation(0.9, seed=1),
        layers.RandomColorDegeneration(0.5, seed=1),
        layers.RandomColorJitter(brightness_factor=0.2, contrast_factor=0.3, seed=1),
        layers.RandomSharpness(0.9, seed=1),
        layers.RandomPosterization(6, seed=1),
        layers.RandomInvert(seed=1),
        layers.Solarization(0.3, 0.6, seed=1),
        layers.Equalization(),
    ],
    ids=lambda layer: type(layer).__name__,
)
def test_training_only_layers_pass_through_in_inference_and_seeds_repeat(layer):
    images = RGB.repeat(8, 1, 1, 1)
    torch.testing.assert_close(layer(images), images)
    out = layer(images, training=True)
    assert out.shape == images.shape and out.dtype == images.dtype
    assert not torch.equal(out, images)
    assert float(out.min()) >= 0.0 and float(out.max()) <= 255.0 + 1e-3
    fresh = type(layer).from_config(layer.get_config())
    torch.testing.assert_close(fresh(images, training=True), out)


def test_auto_contrast_acts_in_inference_and_spans_the_range():
    images = RGB * 0.5 + 40
    out = layers.AutoContrast()(images)
    torch.testing.assert_close(out.amin(dim=(1, 2)), torch.zeros(2, 3))
    torch.testing.assert_close(out.amax(dim=(1, 2)), torch.full((2, 3), 255.0))
    flat = torch.full((1, 3, 3, 3), 9.0)
    torch.testing.assert_close(layers.AutoContrast()(flat), flat)


def test_grayscale_picks_about_factor_of_the_images():
    images = RGB[:1].repeat(400, 1, 1, 1)
    out = layers.RandomGrayscale(0.25, seed=3)(images, training=True)
    grey = (out[..., 0] == out[..., 1]).flatten(1).all(1) & (out[..., 1] == out[..., 2]).flatten(
        1
    ).all(1)
    assert 70 < int(grey.sum()) < 130


def test_hue_keeps_value_and_saturation_and_wraps():
    images = nchw(RGB) / 255
    layer = layers.RandomHue(1.0, value_range=(0, 1), seed=2)
    out = nchw(layer(nhwc(images), training=True))
    torch.testing.assert_close(out.amax(1), images.amax(1), atol=1e-5, rtol=0)  # value = max
    # Half a turn each way is the same colour.
    torch.testing.assert_close(
        layer.turn(images, torch.tensor([0.5, 0.5])),
        layer.turn(images, torch.tensor([-0.5, -0.5])),
        atol=1e-5,
        rtol=0,
    )


def test_posterization_keeps_only_the_high_bits():
    images = torch.arange(256.0).view(1, 16, 16, 1)
    out = layers.RandomPosterization((2, 2))(images, training=True)
    assert set(out.unique().tolist()) == {0.0, 64.0, 128.0, 192.0}
    draws = layers.RandomPosterization(5, seed=0)(images.repeat(200, 1, 1, 1), training=True)
    levels = {len(image.unique()) for image in draws}
    assert levels == {2, 4, 8, 16}  # 1 to 4 bits


def test_equalization_flattens_a_skewed_histogram():
    skewed = (torch.rand(1, 32, 32, 1) ** 4) * 255
    out = layers.Equalization()(skewed, training=True)
    counts = torch.histc(out, bins=4, min=0, max=255)
    assert float(counts.min()) > 0.15 * out.numel()  # each quarter of the range gets its share


def test_color_jitter_runs_its_steps_from_one_stream():
    jitter = layers.RandomColorJitter(
        value_range=(0, 1), brightness_factor=0.2, contrast_factor=0.2, seed=4
    )
    images = nhwc(torch.rand(300, 3, 4, 4))
    out = jitter(images, training=True)
    assert out.shape == images.shape and 0.0 <= float(out.min()) and float(out.max()) <= 1.0
    assert jitter.get_config()["saturation_factor"] is None
    assert list(jitter.children()) == []  # the steps are not sub-layers of a model


@pytest.mark.parametrize("dtype", ["float64", "float16"])
def test_dtypes_are_kept(dtype):
    images = RGB.to(getattr(torch, dtype))
    for layer in (
        layers.RandomHue(0.3, dtype=dtype),
        layers.RandomSaturation(0.3, dtype=dtype),
        layers.RandomSharpness(0.3, dtype=dtype),
        layers.RandomPosterization(4, dtype=dtype),
        layers.Solarization(dtype=dtype),
        layers.Equalization(dtype=dtype),
        layers.AutoContrast(dtype=dtype),
    ):
        assert layer(images, training=True).dtype == getattr(torch, dtype)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="RandomGrayscale expected `factor` as a probability"):
        layers.RandomGrayscale(1.5)
    with pytest.raises(ValueError, match="RandomHue expected `factor`"):
        layers.RandomHue(-0.1)
    with pytest.raises(ValueError, match="RandomPosterization expected `factor`"):
        layers.RandomPosterization(9)
    with pytest.raises(ValueError, match="Equalization expected `bins`"):
        layers.Equalization(bins=1)
    with pytest.raises(ValueError, match="expected RGB images"):
        layers.RandomHue(0.1)(torch.rand(1, 4, 4, 2), training=True)


def test_a_colour_pipeline_trains_inside_a_model():
    inputs = strata.Input((5, 6, 3))
    x = layers.RandomColorJitter(brightness_factor=0.1, hue_factor=0.1, seed=0)(inputs)
    x = layers.AutoContrast()(x)
    outputs = layers.Dense(2)(layers.Flatten()(x))
    model = strata.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(FIXTURES["rgb"] / 255, np.zeros((2, 2), "float32"), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
