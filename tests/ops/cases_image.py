"""Argument builders for every op of `keras.ops.image` (see harness.py)."""

from __future__ import annotations

import numpy as np
import scipy.ndimage as nd
from ops.harness import Case


def img(rng, *shape):
    return rng.rand(*shape).astype("float32")


def _gaussian(size, sigma):
    x = np.arange(size) - (size - 1) / 2
    w = np.exp(-0.5 * (x / sigma) ** 2)
    return w / w.sum()


def _blur_ref(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    kernel = np.outer(_gaussian(kernel_size[0], sigma[0]), _gaussian(kernel_size[1], sigma[1]))
    out = np.empty_like(images)
    for b in range(images.shape[0]):
        for c in range(images.shape[-1]):
            out[b, ..., c] = nd.correlate(images[b, ..., c], kernel, mode="constant")
    return out


_SCIPY_MODES = {
    "constant": "grid-constant",
    "nearest": "nearest",
    "wrap": "grid-wrap",
    "mirror": "mirror",
    "reflect": "reflect",
}


def _map_ref(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    return nd.map_coordinates(
        inputs.astype("float64"),
        coordinates,
        order=order,
        mode=_SCIPY_MODES[fill_mode],
        cval=fill_value,
        prefilter=False,
    ).astype(inputs.dtype)


def _coords(r):
    return r.uniform(-2.5, 6.5, (2, 3, 4)).astype("float32")


def _transforms(r, n):
    t = np.zeros((n, 8), "float32")
    t[:, 0] = t[:, 4] = 1 + 0.2 * r.normal(size=n)
    t[:, 1] = t[:, 3] = 0.2 * r.normal(size=n)
    t[:, 2] = t[:, 5] = r.normal(size=n)
    return t


def _points(r, n):
    start = np.array([[0, 0], [6, 0], [0, 5], [6, 5]], "float32")
    return np.repeat(start[None], n, 0), start[None] + r.uniform(-1, 1, (n, 4, 2)).astype("float32")


CASES = [
    Case("image.rgb_to_grayscale", "batch", lambda r: ((img(r, 2, 4, 5, 3),), {})),
    Case(
        "image.rgb_to_grayscale",
        "channels_first",
        lambda r: ((img(r, 3, 4, 5),), {"data_format": "channels_first"}),
    ),
    Case("image.rgb_to_hsv", "batch", lambda r: ((img(r, 2, 4, 5, 3),), {})),
    Case("image.hsv_to_rgb", "batch", lambda r: ((img(r, 2, 4, 5, 3),), {})),
    Case("image.resize", "bilinear_up", lambda r: ((img(r, 1, 4, 5, 2), (7, 9)), {})),
    Case(
        "image.resize",
        "bilinear_down_aa",
        lambda r: ((img(r, 1, 9, 8, 2), (4, 3)), {"antialias": True}),
    ),
    Case(
        "image.resize",
        "nearest",
        lambda r: ((img(r, 4, 5, 3), (7, 3)), {"interpolation": "nearest"}),
    ),
    Case(
        "image.resize",
        "bicubic",
        lambda r: ((img(r, 1, 5, 5, 1), (8, 6)), {"interpolation": "bicubic"}),
        rtol=1e-4,
    ),
    Case(
        "image.resize",
        "crop_aspect",
        lambda r: ((img(r, 1, 6, 9, 2), (4, 4)), {"crop_to_aspect_ratio": True}),
    ),
    Case(
        "image.resize",
        "pad_aspect",
        lambda r: ((img(r, 1, 6, 9, 2), (4, 4)), {"pad_to_aspect_ratio": True, "fill_value": 0.5}),
    ),
    Case(
        "image.resize",
        "uint8",
        lambda r: (((img(r, 1, 4, 4, 3) * 255).astype("uint8"), (6, 6)), {}),
    ),
    Case(
        "image.resize",
        "channels_first",
        lambda r: ((img(r, 2, 3, 4, 5), (6, 6)), {"data_format": "channels_first"}),
    ),
    Case(
        "image.resize",
        "lanczos3",
        lambda r: ((img(r, 1, 5, 6, 2), (8, 4)), {"interpolation": "lanczos3"}),
        fixture=False,
        check=lambda out, args, kwargs: np.testing.assert_allclose(
            out[0], _lanczos_via_scale(args[0], args[1]), rtol=1e-5, atol=1e-6
        ),
        why="Keras on torch refuses Lanczos resizing; strata resizes with the JAX rule "
        "(scale_and_translate, itself checked against Keras), checked here against it",
    ),
    Case(
        "image.crop_images",
        "offsets",
        lambda r: (
            (img(r, 2, 6, 7, 3),),
            {"top_cropping": 1, "left_cropping": 2, "target_height": 3, "target_width": 4},
        ),
    ),
    Case(
        "image.crop_images",
        "bottom_right",
        lambda r: (
            (img(r, 6, 7, 3),),
            {"bottom_cropping": 2, "right_cropping": 1, "target_height": 3, "target_width": 4},
        ),
    ),
    Case(
        "image.pad_images",
        "offsets",
        lambda r: (
            (img(r, 2, 3, 4, 3),),
            {"top_padding": 1, "left_padding": 2, "target_height": 6, "target_width": 7},
        ),
    ),
    Case(
        "image.pad_images",
        "channels_first",
        lambda r: (
            (img(r, 3, 3, 4),),
            {
                "bottom_padding": 2,
                "right_padding": 1,
                "top_padding": 0,
                "left_padding": 3,
                "data_format": "channels_first",
            },
        ),
    ),
    Case("image.extract_patches", "2d", lambda r: ((img(r, 2, 6, 6, 3), 2), {})),
    Case(
        "image.extract_patches",
        "2d_strides_same",
        lambda r: ((img(r, 1, 5, 6, 2), (2, 3)), {"strides": 2, "padding": "same"}),
    ),
    Case(
        "image.extract_patches",
        "2d_dilated",
        lambda r: ((img(r, 6, 6, 1), 2), {"strides": 1, "dilation_rate": 2}),
    ),
    Case("image.extract_patches", "3d_size", lambda r: ((img(r, 1, 4, 4, 4, 2), (2, 2, 2)), {})),
    Case("image.extract_patches_3d", "basic", lambda r: ((img(r, 1, 4, 4, 6, 2), 2), {})),
    Case(
        "image.extract_patches_3d",
        "strides",
        lambda r: ((img(r, 3, 4, 3, 1), (2, 3, 2)), {"strides": 1}),
    ),
    Case(
        "image.gaussian_blur",
        "default",
        lambda r: ((img(r, 2, 6, 7, 3),), {"data_format": "channels_last"}),
        reference=_blur_ref,
    ),
    Case(
        "image.gaussian_blur",
        "implicit_format",
        lambda r: ((img(r, 2, 6, 7, 3),), {}),
        fixture=False,
        reference=_blur_ref,
        why="Keras 3.15.1 on torch skips its channels_last transpose when data_format is left "
        "None (it blurs the wrong axes); strata reads the global format, checked against SciPy",
    ),
    Case(
        "image.gaussian_blur",
        "wide",
        lambda r: (
            (img(r, 1, 8, 8, 2),),
            {"kernel_size": (5, 5), "sigma": (2.0, 2.0), "data_format": "channels_last"},
        ),
        reference=_blur_ref,
    ),
    Case(
        "image.gaussian_blur",
        "unequal",
        lambda r: ((img(r, 1, 8, 8, 1),), {"kernel_size": (5, 3), "sigma": (2.0, 0.5)}),
        fixture=False,
        reference=_blur_ref,
        why="Keras's code swaps height and width for unequal pairs (its docs say "
        "(height, width)); strata follows the docs, checked against SciPy",
    ),
    Case("image.sobel_edges", "batch", lambda r: ((img(r, 2, 4, 5, 2),), {})),
    Case(
        "image.sobel_edges",
        "channels_first",
        lambda r: ((img(r, 1, 2, 5, 6),), {"data_format": "channels_first"}),
    ),
    Case(
        "image.ssim",
        "batch",
        lambda r: ((img(r, 2, 16, 16, 3), img(r, 2, 16, 16, 3)), {}),
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "image.ssim",
        "single_options",
        lambda r: (
            (img(r, 12, 12, 1), img(r, 12, 12, 1)),
            {"max_val": 2.0, "filter_size": 5, "filter_sigma": 1.0},
        ),
        rtol=1e-4,
        atol=1e-5,
    ),
]

for mode in _SCIPY_MODES:
    CASES.append(
        Case(
            "image.map_coordinates",
            f"linear_{mode}",
            lambda r, mode=mode: (
                (img(r, 5, 6), _coords(r), 1),
                {"fill_mode": mode, "fill_value": 0.5},
            ),
            reference=_map_ref,
        )
    )
CASES.append(
    Case(
        "image.map_coordinates",
        "nearest_constant",
        lambda r: ((img(r, 5, 6), _coords(r), 0), {}),
        reference=_map_ref,
    )
)

for interpolation in ("bilinear", "nearest"):
    for mode in _SCIPY_MODES:
        CASES.append(
            Case(
                "image.affine_transform",
                f"{interpolation}_{mode}",
                lambda r, i=interpolation, m=mode: (
                    (img(r, 1, 5, 6, 2), _transforms(r, 1)),
                    {"interpolation": i, "fill_mode": m, "fill_value": 0.25},
                ),
            )
        )
CASES += [
    Case(
        "image.affine_transform",
        "single_channels_first",
        lambda r: ((img(r, 2, 5, 6), _transforms(r, 1)[0]), {"data_format": "channels_first"}),
    ),
    Case(
        "image.perspective_transform",
        "bilinear",
        lambda r: ((img(r, 2, 6, 7, 1), *_points(r, 2)), {}),
        rtol=1e-4,
        atol=1e-4,
    ),
    Case(
        "image.perspective_transform",
        "nearest_single",
        lambda r: (
            (img(r, 6, 7, 2), *(p[0] for p in _points(r, 1))),
            {"interpolation": "nearest", "fill_value": 1.0},
        ),
        rtol=1e-4,
        atol=1e-4,
    ),
]

for method in ("linear", "cubic", "lanczos3", "lanczos5"):
    for antialias in (True, False):
        CASES.append(
            Case(
                "image.scale_and_translate",
                f"{method}_{'aa' if antialias else 'plain'}",
                lambda r, m=method, a=antialias: (
                    (
                        img(r, 2, 7, 6, 2),
                        (2, 4, 9, 2),
                        np.array([0.6, 1.5], "float32"),
                        np.array([0.3, -0.5], "float32"),
                        (1, 2),
                        m,
                    ),
                    {"antialias": a},
                ),
                rtol=1e-4,
                atol=1e-5,
            )
        )


def _lanczos_via_scale(images, size):
    import strata.ops.image as image

    n, h, w, c = images.shape
    out = image.scale_and_translate(
        images,
        (n, *size, c),
        [size[0] / h, size[1] / w],
        [0.0, 0.0],
        (1, 2),
        "lanczos3",
        antialias=False,
    )
    return out.numpy()


def _check_elastic(outputs, args, kwargs):
    import strata.ops.image as image

    out = outputs[0]
    assert out.shape == args[0].shape and out.dtype == args[0].dtype
    again = image.elastic_transform(*args, **kwargs).numpy()
    np.testing.assert_array_equal(out, again)  # the same integer seed, the same deformation
    assert not np.allclose(out, args[0])  # alpha > 0 moves pixels
    still = image.elastic_transform(args[0], alpha=0.0, seed=3).numpy()
    np.testing.assert_allclose(still, args[0], atol=1e-6)


CASES.append(
    Case(
        "image.elastic_transform",
        "seeded",
        lambda r: ((img(r, 2, 8, 9, 3),), {"alpha": 5.0, "sigma": 1.0, "seed": 7}),
        fixture=False,
        check=_check_elastic,
        why="random: Keras on torch draws from torch's global generator and ignores the seed; "
        "checked for shape, dtype, seeded reproducibility and identity at alpha=0",
    )
)
