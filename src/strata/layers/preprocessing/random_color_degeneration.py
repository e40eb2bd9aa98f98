"""RandomColorDegeneration: each image blended towards its greyscale version while training."""

from __future__ import annotations

from strata.layers.preprocessing._base import ImageAugmentation, check_value_range, factor_range
from strata.layers.preprocessing._color import grayscale


class RandomColorDegeneration(ImageAugmentation):
    """Blend each image towards its grey version by a random amount, in training only.

    Each image draws `f` uniformly in `[lower, upper]` and becomes `x + f * (grey - x)`,
    clipped to `value_range`: `f = 0` leaves it, `f = 1` makes it grey.

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
        >>> layer = strata.layers.RandomColorDegeneration((1.0, 1.0))
        >>> [round(v, 2) for v in layer(image, training=True).flatten().tolist()]
        [124.18, 124.18, 124.18]
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(
            factor, "RandomColorDegeneration", bounds=(0.0, 1.0), symmetric=False
        )
        self.value_range = check_value_range(value_range, "RandomColorDegeneration")

    def augment(self, images, training):
        amount = self.uniform((images.shape[0], 1, 1, 1), images, *self.factor).to(images.dtype)
        blended = images + amount * (grayscale(images) - images)
        return blended.clamp(*self.value_range)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}
