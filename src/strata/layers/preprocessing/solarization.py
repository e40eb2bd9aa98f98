"""Solarization: pixels above a random threshold inverted (after a random brightening)."""

from __future__ import annotations

import torch

from strata.layers.preprocessing._base import ImageAugmentation, check_value_range, factor_range
from strata.layers.preprocessing._color import rescale


class Solarization(ImageAugmentation):
    """Invert the pixels at or above a random threshold, in training only.

    On the 0-255 scale, each image draws an addition `a` in `addition_factor * 255` and a
    threshold `t` in `threshold_factor * 255`; a pixel `x` becomes `y = clip(x + a, 0, 255)`
    and then `255 - y` where `y >= t`. With the defaults (`t = 0`) every pixel is inverted.

    Args:
        addition_factor: a number `f` in [0, 1] (draws in `[0, f]`) or a pair in [0, 1].
        threshold_factor: the same for the threshold.
        value_range: `(low, high)` of the pixel values.
        seed: integer for reproducible draws.

    Input shape:
        `(batch, height, width, channels)` (or channels first), or one unbatched image.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> image = torch.tensor([0.0, 100.0, 200.0]).reshape(1, 1, 3, 1)
        >>> layer = strata.layers.Solarization(threshold_factor=(0.5, 0.5))
        >>> layer(image, training=True).flatten().tolist()
        [0.0, 100.0, 55.0]
    """

    def __init__(
        self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255), seed=None, **kwargs
    ):
        super().__init__(seed=seed, **kwargs)
        self.addition_factor = factor_range(
            addition_factor, "Solarization", "addition_factor", (0.0, 1.0), symmetric=False
        )
        self.threshold_factor = factor_range(
            threshold_factor, "Solarization", "threshold_factor", (0.0, 1.0), symmetric=False
        )
        self.value_range = check_value_range(value_range, "Solarization")

    def augment(self, images, training):
        shape = (images.shape[0], 1, 1, 1)
        low, high = self.addition_factor
        addition = self.uniform(shape, images, low * 255.0, high * 255.0).to(images.dtype)
        low, high = self.threshold_factor
        threshold = self.uniform(shape, images, low * 255.0, high * 255.0).to(images.dtype)
        return self.solarize(images, addition, threshold)

    def solarize(self, images, addition, threshold):
        """Images solarized at given additions and thresholds (0-255 scale, broadcastable)."""
        values = (rescale(images, self.value_range, (0, 255)) + addition).clamp(0.0, 255.0)
        values = torch.where(values < threshold, values, 255.0 - values)
        return rescale(values, (0, 255), self.value_range)

    def get_config(self):
        return {
            **super().get_config(),
            "addition_factor": self.addition_factor,
            "threshold_factor": self.threshold_factor,
            "value_range": self.value_range,
        }
