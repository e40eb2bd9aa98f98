"""RandomInvert: some images of the batch turned to their negatives while training."""

from __future__ import annotations

import torch

from strata.layers.preprocessing._base import ImageAugmentation, factor_range, is_number


class RandomInvert(ImageAugmentation):
    """Replace each image by `high - x` with a random probability, in training only.

    As in Keras, each image draws a probability `p` uniformly in `[lower, upper]` and is
    inverted when a second uniform draw falls below `p` (so `factor=1.0`, the range [0, 1],
    inverts half of the images on average, and `(1.0, 1.0)` all of them).

    Args:
        factor: a number `f` in [0, 1] (probabilities in `[0, f]`) or a pair `(lower, upper)`.
        value_range: `(low, high)` of the pixel values; the negative of `x` is `high - x`.
        seed: integer for reproducible draws.
        data_format: `"channels_last"` or `"channels_first"`; None takes the global setting.

    Input shape:
        `(batch, height, width, channels)` (or channels first), or one unbatched image.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> image = torch.tensor([0.0, 55.0, 255.0]).reshape(1, 1, 3, 1)
        >>> strata.layers.RandomInvert((1.0, 1.0))(image, training=True).flatten().tolist()
        [255.0, 200.0, 0.0]
    """

    def __init__(self, factor=1.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(factor, "RandomInvert", bounds=(0.0, 1.0), symmetric=False)
        if (
            not isinstance(value_range, (list, tuple))
            or len(value_range) != 2
            or not all(map(is_number, value_range))
        ):
            raise ValueError(
                "RandomInvert expected `value_range` as a pair of numbers (low, high); "
                f"received value_range={value_range!r}."
            )
        self.value_range = tuple(value_range)

    def augment(self, images, training):
        batch = images.shape[0]
        probability = self.uniform((batch,), images, *self.factor)
        chosen = (self.uniform((batch,), images) < probability).view(-1, 1, 1, 1)
        return torch.where(chosen, self.value_range[1] - images, images)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}
