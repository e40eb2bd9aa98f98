"""RandomPosterization: each image's colours cut to a random number of bits while training."""

from __future__ import annotations

import torch

from strata.layers.preprocessing._base import ImageAugmentation, check_value_range, is_number
from strata.layers.preprocessing._color import rescale


class RandomPosterization(ImageAugmentation):
    """Keep only the `b` high bits of each 8-bit colour value, `b` drawn per image, in training.

    The pixels are mapped from `value_range` to 0-255, truncated to integers, the low `8 - b`
    bits cleared, and mapped back. As in Keras, a number `f` draws `b` among the integers
    `1, ..., f - 1` (just 1 when `f` is 1), a pair `(lower, upper)` draws among
    `lower, ..., upper - 1`, and a pair of equal values always uses that value.

    Args:
        factor: a number or a pair of numbers of bits, in [1, 8].
        value_range: `(low, high)` of the pixel values.
        data_format: `"channels_last"` or `"channels_first"`; None takes the global setting.
        seed: integer for reproducible draws.

    Input shape:
        `(batch, height, width, channels)` (or channels first), or one unbatched image.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> image = torch.tensor([0.0, 100.0, 255.0]).reshape(1, 1, 3, 1)
        >>> layer = strata.layers.RandomPosterization((1, 1))
        >>> layer(image, training=True).flatten().tolist()
        [0.0, 0.0, 128.0]
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        pair = factor if isinstance(factor, (list, tuple)) else (1, factor)
        if len(pair) != 2 or not all(is_number(v) and 1 <= v <= 8 for v in pair):
            raise ValueError(
                "RandomPosterization expected `factor` as a number or a pair of numbers of "
                f"bits in [1, 8]; received factor={factor!r}."
            )
        self.factor = tuple(sorted(int(v) for v in pair))
        self.value_range = check_value_range(value_range, "RandomPosterization")

    def augment(self, images, training):
        lower, upper = self.factor
        bits = torch.full((images.shape[0],), float(lower), device=images.device)
        if upper > lower:
            bits = torch.floor(self.uniform(bits.shape, images, lower, upper))
        step = (2.0 ** (8 - bits)).view(-1, 1, 1, 1)
        values = torch.floor(rescale(images.float(), self.value_range, (0, 255)).clamp(0, 255))
        kept = torch.floor(values / step) * step
        return rescale(kept, (0, 255), self.value_range).to(images.dtype)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}
