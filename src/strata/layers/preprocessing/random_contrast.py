"""RandomContrast: each image's contrast scaled by its own random factor while training."""

from __future__ import annotations

from strata.layers.preprocessing._base import ImageAugmentation, check_value_range, is_number


class RandomContrast(ImageAugmentation):
    """Scale each image's deviation from its per-channel mean by a random factor, in training.

    Each image draws a factor `c` uniformly in `[1 - lower, 1 + upper]`; every channel becomes
    `(x - mean) * c + mean` (mean over the image's pixels) and the result is clipped to
    `value_range`.

    Args:
        factor: a number `f` in [0, 1] (contrast factors in `[1 - f, 1 + f]`) or a pair
            `(lower, upper)` of such numbers (factors in `[1 - lower, 1 + upper]`).
        value_range: `(low, high)` of the pixel values, the clipping range.
        seed: integer for reproducible factors.

    Input shape:
        `(batch, height, width, channels)` (or channels first), or one unbatched image.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> image = torch.tensor([0.0, 100.0]).reshape(1, 1, 2, 1)
        >>> layer = strata.layers.RandomContrast(0.0)
        >>> layer(image, training=True).flatten().tolist()
        [0.0, 100.0]
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = _contrast_factor(factor)
        self.value_range = check_value_range(value_range, "RandomContrast")

    def augment(self, images, training):
        lower, upper = self.factor
        scale = self.uniform((images.shape[0],), images, 1.0 - lower, 1.0 + upper)
        return self.adjust(images, scale)

    def adjust(self, images, scale):
        """Contrast scaled by given factors (one per image), clipped to `value_range`."""
        mean = images.mean(dim=(2, 3), keepdim=True)
        out = (images - mean) * scale.view(-1, 1, 1, 1).to(images.dtype) + mean
        return out.clamp(*self.value_range)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


def _contrast_factor(factor):
    pair = factor if isinstance(factor, (list, tuple)) else (factor, factor)
    if len(pair) != 2 or not all(is_number(v) and 0 <= v <= 1 for v in pair):
        raise ValueError(
            "RandomContrast expected `factor` as a number or a pair of numbers in [0, 1]; "
            f"received factor={factor!r}."
        )
    return (float(pair[0]), float(pair[1]))
