"""RandomElasticTransform: some images bent by a smooth random displacement while training."""

from __future__ import annotations

import torch

from strata.layers.preprocessing._base import (
    ImageAugmentation,
    check_choice,
    check_value_range,
    factor_range,
    is_number,
)
from strata.layers.preprocessing._geometry import INTERPOLATIONS, gaussian_blur, sample

FILL_MODES = ("reflect", "wrap", "constant", "nearest", "mirror")


class RandomElasticTransform(ImageAugmentation):
    """Displace the pixels of each image along a smooth random field, in training only.

    Each image draws a probability `p` in `factor`'s range and is transformed when a second
    uniform draw falls below `p`. For a batch, a strength `s` is drawn in `scale`'s range;
    with `alpha = 0.1 s max(H, W)` and `sigma = 0.05 s min(H, W)`, each image gets its own
    Gaussian noise fields `dx`, `dy` (standard deviation `sigma`), smoothed by a Gaussian of
    width `sigma`, and the output pixel `(x, y)` reads the input at
    `(x + alpha dx, y + alpha dy)`. The result is clipped to `value_range`.

    Args:
        factor: a number `f` in [0, 1] (probabilities in `[0, f]`) or a pair in [0, 1].
        scale: a number `s` in [0, 1] (strengths in `[0, s]`) or a pair in [0, 1].
        interpolation: `"bilinear"` or `"nearest"`.
        fill_mode: `"reflect"`, `"wrap"`, `"constant"`, `"nearest"` or `"mirror"`.
        fill_value: the value outside the image with `fill_mode="constant"`.
        value_range: `(low, high)` of the pixel values.
        seed: integer for reproducible draws.
        data_format: `"channels_last"` or `"channels_first"`; None takes the global setting.

    Input shape:
        `(batch, height, width, channels)` (or channels first), or one unbatched image.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> images = torch.rand(2, 16, 16, 1) * 255
        >>> bend = strata.layers.RandomElasticTransform((1.0, 1.0), seed=0)
        >>> bend(images, training=True).shape
        torch.Size([2, 16, 16, 1])
    """

    def __init__(
        self,
        factor=1.0,
        scale=1.0,
        interpolation="bilinear",
        fill_mode="reflect",
        fill_value=0.0,
        value_range=(0, 255),
        seed=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        who = "RandomElasticTransform"
        self.factor = factor_range(factor, who, bounds=(0.0, 1.0), symmetric=False)
        self.scale = factor_range(scale, who, "scale", bounds=(0.0, 1.0), symmetric=False)
        self.interpolation = check_choice(interpolation, INTERPOLATIONS, who, "interpolation")
        self.fill_mode = check_choice(fill_mode, FILL_MODES, who, "fill_mode")
        if not is_number(fill_value):
            raise ValueError(f"{who} expected `fill_value` as a number; received {fill_value!r}.")
        self.fill_value = fill_value
        self.value_range = check_value_range(value_range, who)

    def augment(self, images, training):
        if self.scale[1] == 0 or self.factor[1] == 0:
            return images
        batch, _, height, width = images.shape
        probability = self.uniform((batch,), images, *self.factor)
        chosen = (self.uniform((batch,), images) < probability).view(-1, 1, 1, 1)
        # One strength per batch (as in Keras), drawn on the CPU: the kernel size depends on it
        # and reading it back from an accelerator would stall the step.
        low, high = self.scale
        strength = low + (high - low) * float(self._seeds.uniform((), torch.empty(0)))
        alpha = max(height, width) * 0.1 * strength
        sigma = max(min(height, width) * 0.05 * strength, 1e-6)
        size = int(6 * sigma) | 1
        like = torch.empty(0, device=images.device)
        noise = self._seeds.normal((batch, 2, height, width), like) * sigma
        sigmas = torch.full((batch,), sigma, device=images.device)
        field = gaussian_blur(noise, (size, size), sigmas, sigmas) * alpha
        ys = torch.arange(height, device=images.device, dtype=field.dtype).view(1, height, 1)
        xs = torch.arange(width, device=images.device, dtype=field.dtype).view(1, 1, width)
        bent = sample(
            images,
            ys + field[:, 1],
            xs + field[:, 0],
            self.interpolation,
            self.fill_mode,
            self.fill_value,
        )
        return torch.where(chosen, bent, images).clamp(*self.value_range)

    def get_config(self):
        return {
            **super().get_config(),
            "factor": self.factor,
            "scale": self.scale,
            "interpolation": self.interpolation,
            "fill_mode": self.fill_mode,
            "fill_value": self.fill_value,
            "value_range": self.value_range,
        }
