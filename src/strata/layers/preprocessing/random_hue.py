"""RandomHue: each image's hues turned by its own random amount while training."""

from __future__ import annotations

import torch

from strata.layers.preprocessing._base import ImageAugmentation, check_value_range, factor_range
from strata.layers.preprocessing._color import hsv_to_rgb, rescale, rgb_to_hsv


class RandomHue(ImageAugmentation):
    """Shift the hue of each RGB image by a random amount, in training only.

    Each image draws `f` uniformly in `[lower, upper]` and a random sign; its hues (on the
    colour wheel scaled to [0, 1)) move by `f / 2`, so `factor=1` can reach the opposite
    colour.

    Args:
        factor: a number `f` in [0, 1] (amounts in `[0, f]`) or a pair `(lower, upper)` in
            [0, 1].
        value_range: `(low, high)` of the pixel values.
        data_format: `"channels_last"` or `"channels_first"`; None takes the global setting.
        seed: integer for reproducible shifts.

    Input shape:
        `(batch, height, width, 3)` (or channels first), or one unbatched image.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> red = torch.tensor([1.0, 0.0, 0.0]).reshape(1, 1, 1, 3)
        >>> turned = strata.layers.RandomHue((1.0, 1.0), value_range=(0, 1))(red, training=True)
        >>> [round(v, 4) for v in turned.flatten().tolist()]
        [0.0, 1.0, 1.0]
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(factor, "RandomHue", bounds=(0.0, 1.0), symmetric=False)
        self.value_range = check_value_range(value_range, "RandomHue")

    def augment(self, images, training):
        batch = images.shape[0]
        sign = torch.where(self.uniform((batch,), images) > 0.5, -1.0, 1.0)
        shift = sign * self.uniform((batch,), images, *self.factor) * 0.5
        return self.turn(images, shift)

    def turn(self, images, shift):
        """Hues moved by `shift` (one per image, in turns of the colour wheel)."""
        unit = rescale(images, self.value_range, (0.0, 1.0))
        hsv = rgb_to_hsv(unit)
        hue = torch.remainder(hsv[:, 0] + shift.view(-1, 1, 1).to(hsv.dtype), 1.0)
        rgb = hsv_to_rgb(torch.stack([hue, hsv[:, 1], hsv[:, 2]], dim=1)).clamp(0.0, 1.0)
        return rescale(rgb, (0.0, 1.0), self.value_range)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}
