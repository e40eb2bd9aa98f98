"""RandomSaturation: each image's colour saturation scaled at random while training."""

from __future__ import annotations

import torch

from strata.layers.preprocessing._base import ImageAugmentation, check_value_range, factor_range
from strata.layers.preprocessing._color import hsv_to_rgb, rgb_to_hsv


class RandomSaturation(ImageAugmentation):
    """Scale the saturation of each RGB image by a random amount, in training only.

    Each image draws `f` uniformly in `[lower, upper]` and multiplies its saturation by
    `f / (1 - f)`: `f = 0.5` leaves the image as it is, `0` makes it grey, `1` fully saturated.

    Args:
        factor: a number `f` in [0, 1] (draws in `[0, f]`) or a pair `(lower, upper)` in
            [0, 1].
        value_range: `(low, high)` of the pixel values.
        data_format: `"channels_last"` or `"channels_first"`; None takes the global setting.
        seed: integer for reproducible draws.

    Input shape:
        `(batch, height, width, 3)` (or channels first), or one unbatched image.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> image = torch.tensor([200.0, 100.0, 50.0]).reshape(1, 1, 1, 3)
        >>> grey = strata.layers.RandomSaturation((0.0, 0.0))(image, training=True)
        >>> grey.flatten().tolist()
        [200.0, 200.0, 200.0]
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(factor, "RandomSaturation", bounds=(0.0, 1.0), symmetric=False)
        self.value_range = check_value_range(value_range, "RandomSaturation")

    def augment(self, images, training):
        draw = self.uniform((images.shape[0],), images, *self.factor)
        eps = torch.finfo(torch.float32).eps
        return self.saturate(images, draw / (1.0 - draw + eps))

    def saturate(self, images, scale):
        """Saturations multiplied by `scale` (one per image), kept in [0, 1]."""
        hsv = rgb_to_hsv(images)
        saturation = (hsv[:, 1] * scale.view(-1, 1, 1).to(hsv.dtype)).clamp(0.0, 1.0)
        return hsv_to_rgb(torch.stack([hsv[:, 0], saturation, hsv[:, 2]], dim=1))

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}
