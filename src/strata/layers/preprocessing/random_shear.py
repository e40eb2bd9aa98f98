"""RandomShear: each image slanted along x and/or y by its own random amount while training."""

from __future__ import annotations

import torch

from strata.layers.preprocessing._base import GeometricAugmentation, factor_range, is_number


class RandomShear(GeometricAugmentation):
    """Shear each image by random amounts along x and y, in training only.

    Each image draws `sx` from `x_factor`'s range and `sy` from `y_factor`'s and, with
    probability 1/2, flips the sign of both; the output pixel `(x, y)` then reads the input at
    `(x + sx * y, y + sy * x)` (a shear about the top-left corner, as in Keras).

    Args:
        x_factor: a number `f` in [0, 1] (shears in `[-f, f]`) or a pair `(lower, upper)` in
            [-1, 1].
        y_factor: the same along y.
        interpolation: `"bilinear"` or `"nearest"`.
        fill_mode: `"reflect"`, `"wrap"`, `"constant"` or `"nearest"` (see `RandomRotation`).
        fill_value: the value outside the image with `fill_mode="constant"`.
        data_format: `"channels_last"` or `"channels_first"`; None takes the global setting.
        seed: integer for reproducible shears.

    Input shape:
        `(batch, height, width, channels)` (or channels first), or one unbatched image.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> image = torch.rand(2, 8, 8, 3)
        >>> strata.layers.RandomShear(0.2, seed=1)(image, training=True).shape
        torch.Size([2, 8, 8, 3])
    """

    def __init__(
        self,
        x_factor=0.0,
        y_factor=0.0,
        interpolation="bilinear",
        fill_mode="reflect",
        fill_value=0.0,
        data_format=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.x_factor = _shear_factor(x_factor, "x_factor")
        self.y_factor = _shear_factor(y_factor, "y_factor")

    def augment(self, images, training):
        batch = images.shape[0]
        sign = torch.where(self.uniform((batch,), images) > 0.5, -1.0, 1.0)
        shear_y = self.uniform((batch,), images, *self.y_factor)
        shear_x = self.uniform((batch,), images, *self.x_factor)
        return self.shear(images, torch.stack([shear_x, shear_y], dim=1) * sign.unsqueeze(1))

    def shear(self, images, factors):
        """Images sheared by given `(batch, 2)` factors `(sx, sy)`."""
        sx, sy = factors.float().unbind(1)
        ones, zeros = torch.ones_like(sx), torch.zeros_like(sx)
        matrices = torch.stack([ones, sx, zeros, sy, ones, zeros, zeros, zeros], dim=1)
        return self.resample(images, matrices)

    def get_config(self):
        return {**super().get_config(), "x_factor": self.x_factor, "y_factor": self.y_factor}


def _shear_factor(factor, name):
    """A number in [0, 1] means `(-f, f)`; pairs may be negative (a scalar's stored range is)."""
    if is_number(factor) and factor < 0:
        raise ValueError(
            f"RandomShear expected `{name}` as a number in [0, 1] or a pair of numbers in "
            f"[-1, 1]; received {name}={factor!r}."
        )
    lower, upper = factor_range(factor, "RandomShear", name, bounds=(-1.0, 1.0))
    return (lower, upper)
