"""RandomBrightness: a random amount added to each image's pixels while training."""

from __future__ import annotations

from strata.layers.preprocessing._base import ImageAugmentation, check_value_range, factor_range


class RandomBrightness(ImageAugmentation):
    """Add a random delta to every pixel of each image, then clip to `value_range`, in training.

    Each image draws `d` uniformly in `[lower, upper]` and gets `d * (high - low)` added to all
    its channels (so `factor=0.2` moves brightness by up to a fifth of the value range).

    Args:
        factor: a number `f` (deltas in `[-f, f]`) or a pair `(lower, upper)`, in [-1, 1].
        value_range: `(low, high)` of the pixel values, the clipping range.
        seed: integer for reproducible deltas.

    Input shape:
        `(batch, height, width, channels)` (or channels first), or one unbatched image.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> image = torch.tensor([0.0, 0.5, 1.0]).reshape(1, 1, 3, 1)
        >>> layer = strata.layers.RandomBrightness((0.25, 0.25), value_range=(0, 1))
        >>> layer(image, training=True).flatten().tolist()
        [0.25, 0.75, 1.0]
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = factor_range(factor, "RandomBrightness")
        self.value_range = check_value_range(value_range, "RandomBrightness")

    def augment(self, images, training):
        lower, upper = self.factor
        low, high = self.value_range
        delta = self.uniform((images.shape[0], 1, 1, 1), images, lower, upper) * (high - low)
        return (images + delta.to(images.dtype)).clamp(low, high)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}
