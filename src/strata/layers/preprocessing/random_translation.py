"""RandomTranslation: each image shifted by its own random offset while training."""

from __future__ import annotations

import torch

from strata.layers.preprocessing._base import GeometricAugmentation, factor_range


class RandomTranslation(GeometricAugmentation):
    """Shift each image by a random fraction of its height and width, in training only.

    Positive height factors move the picture down, positive width factors move it right;
    uncovered pixels are filled per `fill_mode`.

    Args:
        height_factor: a number `f` (shifts in `[-f, f]` times the height) or a pair
            `(lower, upper)`, in [-1, 1].
        width_factor: the same for the width.
        fill_mode: `"reflect"`, `"wrap"`, `"constant"` or `"nearest"` (see `RandomRotation`).
        interpolation: `"bilinear"` or `"nearest"`.
        seed: integer for reproducible shifts.
        fill_value: the value outside the image with `fill_mode="constant"`.
        data_format: `"channels_last"` or `"channels_first"`; None takes the global setting.

    Input shape:
        `(batch, height, width, channels)` (or channels first), or one unbatched image.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> image = torch.arange(4.0).reshape(1, 1, 4, 1)
        >>> shift = strata.layers.RandomTranslation(0, (0.5, 0.5), fill_mode="constant")
        >>> shift(image, training=True).flatten().tolist()
        [0.0, 0.0, 0.0, 1.0]
    """

    def __init__(
        self,
        height_factor,
        width_factor,
        fill_mode="reflect",
        interpolation="bilinear",
        seed=None,
        fill_value=0.0,
        data_format=None,
        **kwargs,
    ):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        factor_range(height_factor, "RandomTranslation", "height_factor")
        factor_range(width_factor, "RandomTranslation", "width_factor")
        self.height_factor = (
            list(height_factor) if isinstance(height_factor, tuple) else (height_factor)
        )
        self.width_factor = (
            list(width_factor) if isinstance(width_factor, tuple) else (width_factor)
        )

    def augment(self, images, training):
        batch, _, height, width = images.shape
        low, high = factor_range(self.height_factor, "RandomTranslation", "height_factor")
        shift_y = self.uniform((batch,), images, low, high) * height
        low, high = factor_range(self.width_factor, "RandomTranslation", "width_factor")
        shift_x = self.uniform((batch,), images, low, high) * width
        ones, zeros = torch.ones_like(shift_x), torch.zeros_like(shift_x)
        matrices = torch.stack([ones, zeros, -shift_x, zeros, ones, -shift_y, zeros, zeros], dim=1)
        return self.resample(images, matrices)

    def get_config(self):
        return {
            **super().get_config(),
            "height_factor": self.height_factor,
            "width_factor": self.width_factor,
        }
