"""RandomSharpness: each image sharpened or softened by its own random amount while training."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from strata.layers.preprocessing._base import ImageAugmentation, check_value_range, factor_range


class RandomSharpness(ImageAugmentation):
    """Blend each image with a smoothed copy by a random amount, in training only.

    Each image draws `f` uniformly in `[lower, upper]`; with `s = 2 f` it becomes
    `x + (1 - s) * (smooth - x)`, where `smooth` is the image under the 3x3 kernel
    `[[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13` (zero padding, as in Keras). `f = 0.5` leaves
    the image, `0` softens it, `1` sharpens it. The result is clipped to `value_range`.

    Args:
        factor: a number `f` in [0, 1] (draws in `[0, f]`) or a pair `(lower, upper)` in
            [0, 1].
        value_range: `(low, high)` of the pixel values.
        data_format: `"channels_last"` or `"channels_first"`; None takes the global setting.
        seed: integer for reproducible draws.

    Input shape:
        `(batch, height, width, channels)` (or channels first), or one unbatched image.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> image = torch.rand(1, 4, 4, 3) * 255
        >>> same = strata.layers.RandomSharpness((0.5, 0.5))(image, training=True)
        >>> bool(torch.allclose(same, image))
        True
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(factor, "RandomSharpness", bounds=(0.0, 1.0), symmetric=False)
        self.value_range = check_value_range(value_range, "RandomSharpness")

    def augment(self, images, training):
        strength = 2.0 * self.uniform((images.shape[0], 1, 1, 1), images, *self.factor)
        channels = images.shape[1]
        kernel = torch.ones(3, 3, dtype=images.dtype, device=images.device)
        kernel[1, 1] = 5.0
        kernel = (kernel / 13.0).expand(channels, 1, 3, 3)
        smooth = F.conv2d(images, kernel, padding=1, groups=channels)
        out = images + (1.0 - strength.to(images.dtype)) * (smooth - images)
        return out.clamp(*self.value_range)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}
