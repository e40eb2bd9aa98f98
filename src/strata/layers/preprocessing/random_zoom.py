"""RandomZoom: each image zoomed in or out by its own random amount while training."""

from __future__ import annotations

import torch

from strata.layers.preprocessing._base import GeometricAugmentation, factor_range


class RandomZoom(GeometricAugmentation):
    """Zoom each image about its centre by a random amount, in training only.

    A factor `z` scales the sampled area by `1 + z`: negative factors zoom in (enlarge the
    picture), positive ones zoom out (shrink it, filling the border per `fill_mode`). Each
    image draws its own height factor and, when `width_factor` is given, its own width factor
    (otherwise the height factor is used for both, keeping the aspect ratio).

    Args:
        height_factor: a number `f` (factors in `[-f, f]`) or a pair `(lower, upper)`, each in
            (-1, 1].
        width_factor: the same for the width, or None to zoom both axes alike.
        fill_mode: `"reflect"`, `"wrap"`, `"constant"` or `"nearest"` (see `RandomRotation`).
        interpolation: `"bilinear"` or `"nearest"`.
        seed: integer for reproducible zooms.
        fill_value: the value outside the image with `fill_mode="constant"`.
        data_format: `"channels_last"` or `"channels_first"`; None takes the global setting.

    Input shape:
        `(batch, height, width, channels)` (or channels first), or one unbatched image.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> image = torch.arange(9.0).reshape(1, 3, 3, 1)
        >>> zoom = strata.layers.RandomZoom((1.0, 1.0), fill_mode="constant")
        >>> zoom(image, training=True)[0, :, :, 0].tolist()
        [[0.0, 0.0, 0.0], [0.0, 4.0, 0.0], [0.0, 0.0, 0.0]]
    """

    def __init__(
        self,
        height_factor,
        width_factor=None,
        fill_mode="reflect",
        interpolation="bilinear",
        seed=None,
        fill_value=0.0,
        data_format=None,
        **kwargs,
    ):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor = _zoom_factor(height_factor, "height_factor")
        self.width_factor = (
            None if width_factor is None else _zoom_factor(width_factor, "width_factor")
        )

    def augment(self, images, training):
        batch, _, height, width = images.shape
        lower, upper = factor_range(self.height_factor, "RandomZoom", "height_factor")
        zoom_y = self.uniform((batch,), images, 1.0 + lower, 1.0 + upper)
        zoom_x = zoom_y
        if self.width_factor is not None:
            lower, upper = factor_range(self.width_factor, "RandomZoom", "width_factor")
            zoom_x = self.uniform((batch,), images, 1.0 + lower, 1.0 + upper)
        zeros = torch.zeros_like(zoom_y)
        offset_x = (width - 1) / 2.0 * (1.0 - zoom_x)
        offset_y = (height - 1) / 2.0 * (1.0 - zoom_y)
        matrices = torch.stack(
            [zoom_x, zeros, offset_x, zeros, zoom_y, offset_y, zeros, zeros], dim=1
        )
        return self.resample(images, matrices)

    def get_config(self):
        return {
            **super().get_config(),
            "height_factor": self.height_factor,
            "width_factor": self.width_factor,
        }


def _zoom_factor(factor, name):
    """Keras keeps zoom factors as given; they must lie in (-1, 1] (a factor -1 is no image)."""
    lower, upper = factor_range(factor, "RandomZoom", name)
    if lower <= -1.0:
        raise ValueError(
            f"RandomZoom expected `{name}` as a number or a pair of numbers in (-1, 1]; "
            f"received {name}={factor!r}."
        )
    return list(factor) if isinstance(factor, tuple) else factor
