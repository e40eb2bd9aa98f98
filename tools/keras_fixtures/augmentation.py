"""Reference outputs of Keras 3's image augmentation layers at deterministic settings.

Run with the scratch Keras (never a dependency of strata):
    KERAS_BACKEND=torch /work/kerasenv/bin/python tools/keras_fixtures/augmentation.py
Writes tests/layers/preprocessing/fixtures/augmentation.npz: the input `images` and, for each
case, `<case>` = Keras's output. A factor range of one value (`(0.25, 0.25)`) makes the random
draw a constant, so the output is deterministic.
"""

import os
from pathlib import Path

import keras
import numpy as np

OUT = Path(__file__).resolve().parents[2] / "tests/layers/preprocessing/fixtures/augmentation.npz"
FILLS = ("reflect", "wrap", "constant", "nearest")


def cases():
    """name -> (layer, training, input key)."""
    layers = keras.layers
    found = {}
    for fill in FILLS:
        for interp in ("bilinear", "nearest"):
            tag = f"{fill}_{interp}"
            kw = {"fill_mode": fill, "interpolation": interp, "fill_value": 7.0}
            found[f"rotation_90_{tag}"] = (
                layers.RandomRotation((0.25, 0.25), **kw),
                True,
                "images",
            )
            found[f"rotation_36_{tag}"] = (layers.RandomRotation((0.1, 0.1), **kw), True, "images")
            found[f"rotation_m50_{tag}"] = (
                layers.RandomRotation((-0.14, -0.14), **kw),
                True,
                "images",
            )
            found[f"zoom_out_{tag}"] = (layers.RandomZoom((0.3, 0.3), **kw), True, "images")
            found[f"zoom_in_xy_{tag}"] = (
                layers.RandomZoom((-0.4, -0.4), (0.2, 0.2), **kw),
                True,
                "images",
            )
            found[f"translation_{tag}"] = (
                layers.RandomTranslation((0.2, 0.2), (-0.3, -0.3), **kw),
                True,
                "images",
            )
            found[f"translation_far_{tag}"] = (
                layers.RandomTranslation((-0.9, -0.9), (1.3 / 7, 1.3 / 7), **kw),
                True,
                "images",
            )
    found["rotation_36_channels_first"] = (
        layers.RandomRotation((0.1, 0.1), data_format="channels_first"),
        True,
        "images_cf",
    )
    # Too small on one axis: Keras takes the central window (no random offset).
    found["crop_center"] = (layers.RandomCrop(3, 5), True, "narrow")
    found["brightness"] = (layers.RandomBrightness((0.2, 0.2)), True, "images")
    found["brightness_clip"] = (layers.RandomBrightness((-0.5, -0.5)), True, "images")
    return found


def colour(arrays):
    """Colour layers at deterministic settings, or their transforms at given draws."""
    layers = keras.layers
    rgb = np.random.default_rng(1).uniform(0, 255, (2, 5, 6, 3)).astype("float32")
    rgb[0, 0, 0] = [0.0, 0.0, 0.0]  # black and a grey pixel: zero spread in HSV
    rgb[0, 0, 1] = [90.0, 90.0, 90.0]
    arrays["rgb"] = rgb
    fixed = {
        "grayscale": layers.RandomGrayscale(1.0),
        "degeneration": layers.RandomColorDegeneration((0.4, 0.4)),
        "sharpness_soft": layers.RandomSharpness((0.2, 0.2)),
        "sharpness_sharp": layers.RandomSharpness((0.8, 0.8)),
        "posterization": layers.RandomPosterization((3, 3)),
        "invert": layers.RandomInvert((1.0, 1.0)),
        "auto_contrast": layers.AutoContrast(),
    }
    for name, layer in fixed.items():
        arrays[name] = keras.ops.convert_to_numpy(layer(rgb, training=True))
    arrays["equalization"] = keras.ops.convert_to_numpy(
        layers.Equalization()(np.round(rgb[:1]), training=True)
    )
    arrays["hue_shifts"] = np.array([0.3, -0.45], "float32")
    hue = layers.RandomHue(0.5)
    out = hue.transform_images(rgb, {"factor": arrays["hue_shifts"]})
    arrays["hue"] = keras.ops.convert_to_numpy(out)
    arrays["saturation_scales"] = np.array([0.3, 0.9], "float32")
    saturation = layers.RandomSaturation(0.5)
    out = saturation.transform_images(rgb, {"factor": arrays["saturation_scales"]})
    arrays["saturation"] = keras.ops.convert_to_numpy(out)
    arrays["contrast_scales"] = np.array([0.6, 1.7], "float32")
    contrast = layers.RandomContrast(0.5)
    scales = keras.ops.convert_to_tensor(arrays["contrast_scales"].reshape(2, 1, 1, 1))
    out = contrast.transform_images(keras.ops.convert_to_tensor(rgb), {"contrast_factor": scales})
    arrays["contrast"] = keras.ops.convert_to_numpy(out)
    arrays["solarization_draws"] = np.array([[20.0, 100.0], [0.0, 200.0]], "float32")
    draws = arrays["solarization_draws"].reshape(2, 2, 1, 1, 1)
    out = layers.Solarization().transform_images(
        rgb,
        {
            "additions": keras.ops.convert_to_tensor(draws[:, 0]),
            "thresholds": keras.ops.convert_to_tensor(draws[:, 1]),
        },
    )
    arrays["solarization"] = keras.ops.convert_to_numpy(out)


def filters(arrays):
    """Gaussian blur at fixed widths; perspective warps at given corner moves."""
    layers = keras.layers
    images = arrays["images"]
    blur = layers.RandomGaussianBlur((1.0, 1.0), kernel_size=5, sigma=(0.7, 0.7))
    arrays["blur"] = keras.ops.convert_to_numpy(blur(images, training=True))
    height, width = images.shape[1:3]
    start = np.array(
        [[0.0, 0.0], [width - 1, 0.0], [0.0, height - 1], [width - 1, height - 1]], "float32"
    )
    start = np.repeat(start[None], 2, axis=0)
    moves = np.random.default_rng(2).uniform(-0.25, 0.25, (2, 4, 2)).astype("float32")
    end = start + start * moves
    arrays["perspective_start"], arrays["perspective_end"] = start, end
    for interp in ("bilinear", "nearest"):
        layer = layers.RandomPerspective(interpolation=interp, fill_value=7.0)
        transformation = {
            "apply_perspective": keras.ops.convert_to_tensor(np.array([True, True])),
            "start_points": keras.ops.convert_to_tensor(start),
            "end_points": keras.ops.convert_to_tensor(end),
        }
        out = layer.transform_images(images, transformation)
        arrays[f"perspective_{interp}"] = keras.ops.convert_to_numpy(out)


def equalizers(arrays):
    """CLAHE: not random; a size that needs padding to whole tiles, and one that does not."""
    clahe = keras.layers.ContrastLimitedAdaptiveHistogramEqualization
    rng = np.random.default_rng(3)
    # Skewed values, so equalization moves them a lot.
    arrays["clahe_input"] = (rng.uniform(0, 1, (2, 20, 22, 2)) ** 3 * 255).astype("float32")
    out = clahe(clip_limit=2.0, tile_grid_size=(3, 4))(arrays["clahe_input"])
    arrays["clahe_padded"] = keras.ops.convert_to_numpy(out)
    square = arrays["rgb"][:, :4, :4]
    arrays["clahe_default"] = keras.ops.convert_to_numpy(
        clahe(tile_grid_size=(2, 2))(np.tile(square, (1, 4, 4, 1)))
    )
    unit = clahe(value_range=(0, 1), clip_limit=0.0, tile_grid_size=(2, 3))
    arrays["clahe_unclipped_unit"] = keras.ops.convert_to_numpy(unit(arrays["clahe_input"] / 255))


def main():
    rng = np.random.default_rng(0)
    arrays = {
        "images": rng.uniform(0, 255, (2, 6, 7, 2)).astype("float32"),
        "small": rng.uniform(0, 255, (2, 3, 8, 2)).astype("float32"),  # strata's own check
        "narrow": rng.uniform(0, 255, (2, 3, 9, 2)).astype("float32"),
    }
    arrays["images_cf"] = np.ascontiguousarray(arrays["images"].transpose(0, 3, 1, 2))
    for name, (layer, training, key) in cases().items():
        arrays[name] = keras.ops.convert_to_numpy(layer(arrays[key], training=training))
    # RandomShear draws a random sign per image; its transform is run at given shear factors.
    shears = np.array([[0.3, 0.2], [-0.25, -0.1]], "float32")
    arrays["shear_factors"] = shears
    for fill in FILLS:
        for interp in ("bilinear", "nearest"):
            layer = keras.layers.RandomShear(
                0.3, 0.2, fill_mode=fill, interpolation=interp, fill_value=7.0
            )
            out = layer.transform_images(arrays["images"], {"shear_factor": shears})
            arrays[f"shear_{fill}_{interp}"] = keras.ops.convert_to_numpy(out)
    colour(arrays)
    filters(arrays)
    equalizers(arrays)
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes, {len(arrays)} arrays)")


if __name__ == "__main__":
    main()
