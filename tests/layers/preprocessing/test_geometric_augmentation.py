"""RandomRotation, RandomZoom, RandomTranslation, RandomShear: Keras 3.15's outputs at fixed draws.

A factor range of one value makes the random draw a constant, so strata's output must equal
the output Keras computed on the same images (tools/keras_fixtures/augmentation.py).
"""

from pathlib import Path

import numpy as np
import pytest
import torch

from strata import layers

FIXTURES = np.load(Path(__file__).parent / "fixtures" / "augmentation.npz")
FILLS = ("reflect", "wrap", "constant", "nearest")
TAGS = [f"{fill}_{interp}" for fill in FILLS for interp in ("bilinear", "nearest")]


def settings(tag):
    fill, interp = tag.split("_")
    return {"fill_mode": fill, "interpolation": interp, "fill_value": 7.0}


def run(layer, key="images"):
    return layer(torch.from_numpy(FIXTURES[key]), training=True).numpy()


def compare(got, name):
    # float32 index arithmetic: a coordinate a hair below an integer floors one pixel lower
    # with a weight ~1e-7; outputs agree to a few 1e-4 of the 0-255 range.
    np.testing.assert_allclose(got, FIXTURES[name], rtol=0, atol=2e-3, err_msg=name)


@pytest.mark.parametrize("tag", TAGS)
def test_rotation_matches_keras(tag):
    compare(run(layers.RandomRotation((0.25, 0.25), **settings(tag))), f"rotation_90_{tag}")
    compare(run(layers.RandomRotation((0.1, 0.1), **settings(tag))), f"rotation_36_{tag}")
    compare(run(layers.RandomRotation((-0.14, -0.14), **settings(tag))), f"rotation_m50_{tag}")


@pytest.mark.parametrize("tag", TAGS)
def test_zoom_matches_keras(tag):
    compare(run(layers.RandomZoom((0.3, 0.3), **settings(tag))), f"zoom_out_{tag}")
    zoom = layers.RandomZoom((-0.4, -0.4), (0.2, 0.2), **settings(tag))
    compare(run(zoom), f"zoom_in_xy_{tag}")


@pytest.mark.parametrize("tag", TAGS)
def test_translation_matches_keras(tag):
    shift = layers.RandomTranslation((0.2, 0.2), (-0.3, -0.3), **settings(tag))
    compare(run(shift), f"translation_{tag}")
    far = layers.RandomTranslation((-0.9, -0.9), (1.3 / 7, 1.3 / 7), **settings(tag))
    compare(run(far), f"translation_far_{tag}")


@pytest.mark.parametrize("tag", TAGS)
def test_shear_matches_keras_at_given_factors(tag):
    layer = layers.RandomShear(0.3, 0.2, **settings(tag))
    images = torch.from_numpy(FIXTURES["images"]).permute(0, 3, 1, 2)
    got = layer.shear(images, torch.from_numpy(FIXTURES["shear_factors"]))
    compare(got.permute(0, 2, 3, 1).numpy(), f"shear_{tag}")


def test_rotation_channels_first_matches_keras():
    layer = layers.RandomRotation((0.1, 0.1), data_format="channels_first")
    compare(run(layer, "images_cf"), "rotation_36_channels_first")


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
def test_quarter_turn_of_a_square_image_is_rot90(interpolation):
    images = torch.rand(3, 5, 5, 2) * 255
    layer = layers.RandomRotation((0.25, 0.25), interpolation=interpolation)
    turned = layer(images, training=True)
    # Counter-clockwise, as Keras turns positive angles.
    torch.testing.assert_close(turned, torch.rot90(images, 1, dims=(1, 2)), atol=1e-3, rtol=0)


@pytest.mark.parametrize(
    "layer",
    [
        layers.RandomRotation(0.0),
        layers.RandomZoom(0.0),
        layers.RandomTranslation(0.0, 0.0),
        layers.RandomShear(0.0, 0.0),
    ],
    ids=lambda layer: type(layer).__name__,
)
def test_zero_factors_are_the_identity_and_inference_passes_through(layer):
    images = torch.rand(4, 6, 7, 3)
    torch.testing.assert_close(layer(images, training=True), images, atol=1e-5, rtol=0)
    assert layer(images) is not None
    torch.testing.assert_close(layer(images), images, rtol=0, atol=0)


def test_each_image_gets_its_own_angle_and_seeds_repeat():
    images = torch.rand(6, 8, 8, 1)
    first = layers.RandomRotation(0.3, seed=4)(images, training=True)
    again = layers.RandomRotation(0.3, seed=4)(images, training=True)
    torch.testing.assert_close(first, again)
    # The same picture six times: different angles give different outputs.
    same = images[:1].expand(6, -1, -1, -1)
    out = layers.RandomRotation(0.3, seed=4)(same, training=True)
    assert len({tuple(o.flatten().round(decimals=4).tolist()) for o in out}) == 6
    layer = layers.RandomZoom(0.3, seed=2)
    assert not torch.equal(layer(images, training=True), layer(images, training=True))


def test_zoom_without_width_factor_keeps_the_aspect_ratio():
    # A centred square stays a square when only height_factor is given.
    image = torch.zeros(1, 21, 21, 1)
    image[0, 7:14, 7:14] = 1.0
    out = layers.RandomZoom((-0.5, -0.5), fill_mode="constant", interpolation="nearest")(
        image, training=True
    )[0, :, :, 0]
    rows, cols = out.sum(1).nonzero().flatten(), out.sum(0).nonzero().flatten()
    assert len(rows) == len(cols) >= 13  # 7 pixels doubled, less round-half-even at one edge


@pytest.mark.parametrize("dtype", ["float64", "bfloat16", "float16"])
def test_the_layer_dtype_is_kept(dtype):
    images = (torch.rand(2, 5, 6, 3) * 255).to(getattr(torch, dtype))
    for layer in (
        layers.RandomRotation(0.2, seed=1, dtype=dtype),
        layers.RandomZoom(0.2, seed=1, dtype=dtype),
        layers.RandomTranslation(0.2, 0.1, seed=1, dtype=dtype),
        layers.RandomShear(0.2, 0.1, seed=1, dtype=dtype),
    ):
        assert layer(images, training=True).dtype == getattr(torch, dtype)
        assert layer(images).dtype == getattr(torch, dtype)


def test_integer_images_become_the_layer_float_dtype():
    images = torch.randint(0, 256, (2, 5, 6, 3), dtype=torch.uint8)
    assert layers.RandomRotation(0.2)(images, training=True).dtype == torch.float32


def test_unbatched_images_and_bad_arguments():
    image = torch.rand(5, 6, 3)
    assert layers.RandomTranslation(0.2, 0.2, seed=0)(image, training=True).shape == (5, 6, 3)
    with pytest.raises(ValueError, match="RandomRotation expected `fill_mode` one of"):
        layers.RandomRotation(0.1, fill_mode="mirror")
    with pytest.raises(ValueError, match="expected `interpolation` one of"):
        layers.RandomZoom(0.1, interpolation="bicubic")
    with pytest.raises(ValueError, match=r"RandomZoom expected `height_factor`.*\(-1, 1\]"):
        layers.RandomZoom(-1.0)
    with pytest.raises(ValueError, match="RandomRotation expected `factor`"):
        layers.RandomRotation(1.5)
    with pytest.raises(ValueError, match="RandomShear expected `x_factor`"):
        layers.RandomShear(-0.2)
    with pytest.raises(ValueError, match="expected images of rank 3"):
        layers.RandomRotation(0.1)(torch.rand(2, 3), training=True)


def test_configs_keep_keras_keys():
    config = layers.RandomRotation(0.2, seed=3).get_config()
    assert config["factor"] == (-0.2, 0.2) and config["fill_mode"] == "reflect"
    assert config["interpolation"] == "bilinear" and config["seed"] == 3
    zoom = layers.RandomZoom((0.1, 0.3)).get_config()
    assert zoom["height_factor"] == [0.1, 0.3] and zoom["width_factor"] is None
    shear = layers.RandomShear(0.3).get_config()
    assert shear["x_factor"] == (-0.3, 0.3) and shear["y_factor"] == (0.0, 0.0)
