"""RandomGaussianBlur: some images blurred with a random Gaussian while training."""

from __future__ import annotations

import torch

from strata.layers.preprocessing._base import ImageAugmentation, check_value_range, factor_range
from strata.layers.preprocessing._geometry import gaussian_blur


class RandomGaussianBlur(ImageAugmentation):
    """Blur each image with a Gaussian of random widths, with a random probability, in training.

    Each image draws a blurring probability `p` in `factor`'s range and is blurred when a
    second uniform draw falls below `p`; the blur has its own standard deviations along x and
    y, drawn in `sigma`'s range (Keras draws one pair per batch). The kernel is
    `kernel_size` wide, with zero padding at the borders, as in Keras; the result is clipped
    to `value_range`.

    Args:
        factor: a number `f` in [0, 1] (probabilities in `[0, f]`) or a pair in [0, 1].
        kernel_size: an odd number, or a pair of odd numbers `(rows, cols)`.
        sigma: a number `s` (standard deviations in `[0, s]`) or a pair `(lower, upper)`, not
            negative.
        value_range: `(low, high)` of the pixel values.
        data_format: `"channels_last"` or `"channels_first"`; None takes the global setting.
        seed: integer for reproducible draws.

    Input shape:
        `(batch, height, width, channels)` (or channels first), or one unbatched image.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> image = torch.zeros(1, 5, 5, 1)
        >>> image[0, 2, 2] = 100.0
        >>> blur = strata.layers.RandomGaussianBlur((1.0, 1.0), sigma=(1.0, 1.0))
        >>> round(float(blur(image, training=True)[0, 2, 2, 0]), 2)
        20.42
    """

    def __init__(
        self,
        factor=1.0,
        kernel_size=3,
        sigma=1.0,
        value_range=(0, 255),
        data_format=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(factor, "RandomGaussianBlur", bounds=(0.0, 1.0), symmetric=False)
        self.kernel_size = _kernel_size(kernel_size)
        self.sigma = factor_range(
            sigma, "RandomGaussianBlur", "sigma", bounds=(0.0, float("inf")), symmetric=False
        )
        self.value_range = check_value_range(value_range, "RandomGaussianBlur")

    def augment(self, images, training):
        batch = images.shape[0]
        probability = self.uniform((batch,), images, *self.factor)
        chosen = (self.uniform((batch,), images) < probability).view(-1, 1, 1, 1)
        sigmas = self.uniform((batch, 2), images, *self.sigma) + 1e-6
        blurred = gaussian_blur(images, self.kernel_size, sigmas[:, 1], sigmas[:, 0])
        return torch.where(chosen, blurred, images).clamp(*self.value_range)

    def get_config(self):
        return {
            **super().get_config(),
            "factor": self.factor,
            "kernel_size": self.kernel_size,
            "sigma": self.sigma,
            "value_range": self.value_range,
        }


def _kernel_size(value):
    pair = tuple(value) if isinstance(value, (list, tuple)) else (value, value)
    if len(pair) != 2 or not all(
        isinstance(v, int) and not isinstance(v, bool) and v > 0 and v % 2 for v in pair
    ):
        raise ValueError(
            "RandomGaussianBlur expected `kernel_size` as an odd positive integer or a pair of "
            f"them; received kernel_size={value!r}."
        )
    return pair
