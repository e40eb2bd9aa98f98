"""RandomErasing: a random rectangle of some images overwritten while training."""

from __future__ import annotations

import torch

from strata.layers.preprocessing._base import ImageAugmentation, factor_range, is_number


class RandomErasing(ImageAugmentation):
    """Overwrite a random rectangle of each image, with a random probability, in training only.

    Each image draws an erasing probability `p` in `factor`'s range and is erased when a
    second uniform draw falls below `p` (so `factor=1.0` erases half of the images on
    average). The rectangle's side lengths are `sqrt(s)` times the image's, with `s` drawn
    in `scale` separately for height and width; its place is uniform inside the image. The
    rectangle gets `fill_value`, or Gaussian noise times `value_range[1]` when `fill_value` is
    None, clipped to `value_range`.

    Args:
        factor: a number `f` in [0, 1] (probabilities in `[0, f]`) or a pair in [0, 1].
        scale: a number or a pair `(lower, upper)` in [0, 1]: the range of the erased
            fraction of each side, squared.
        fill_value: None (noise), a number, or one number per channel.
        value_range: `(low, high)` of the pixel values.
        seed: integer for reproducible draws.
        data_format: `"channels_last"` or `"channels_first"`; None takes the global setting.

    Input shape:
        `(batch, height, width, channels)` (or channels first), or one unbatched image.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> images = torch.full((2, 8, 8, 3), 100.0)
        >>> erase = strata.layers.RandomErasing((1.0, 1.0), fill_value=0.0, seed=0)
        >>> out = erase(images, training=True)
        >>> bool((out == 0).any()), bool((out == 100).any())
        (True, True)
    """

    def __init__(
        self,
        factor=1.0,
        scale=(0.02, 0.33),
        fill_value=None,
        value_range=(0, 255),
        seed=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(factor, "RandomErasing", bounds=(0.0, 1.0), symmetric=False)
        self.scale = factor_range(
            scale, "RandomErasing", "scale", bounds=(0.0, 1.0), symmetric=False
        )
        values = fill_value if isinstance(fill_value, (list, tuple)) else [fill_value]
        if fill_value is not None and not all(map(is_number, values)):
            raise ValueError(
                "RandomErasing expected `fill_value` as None, a number or one number per "
                f"channel; received fill_value={fill_value!r}."
            )
        self.fill_value = list(fill_value) if isinstance(fill_value, tuple) else fill_value
        self.value_range = _pair(value_range)

    def augment(self, images, training):
        batch, channels, height, width = images.shape
        sides = torch.sqrt(self.uniform((batch, 2), images, *self.scale))
        box_w, box_h = sides[:, 0] * width, sides[:, 1] * height
        x0 = self.uniform((batch,), images) * (width - box_w)
        y0 = self.uniform((batch,), images) * (height - box_h)
        probability = self.uniform((batch,), images, *self.factor)
        chosen = self.uniform((batch,), images) < probability
        xs = torch.arange(width, device=images.device).view(1, 1, width)
        ys = torch.arange(height, device=images.device).view(1, height, 1)
        inside = (xs >= x0.view(-1, 1, 1)) & (xs < (x0 + box_w).view(-1, 1, 1))
        inside = inside & (ys >= y0.view(-1, 1, 1)) & (ys < (y0 + box_h).view(-1, 1, 1))
        mask = (inside & chosen.view(-1, 1, 1)).unsqueeze(1)
        return torch.where(mask, self._fill(images), images)

    def _fill(self, images):
        low, high = self.value_range
        if self.fill_value is None:
            noise = self._seeds.normal(images.shape, images.float()) * high
            return noise.clamp(low, high).to(images.dtype)
        fill = torch.as_tensor(self.fill_value, dtype=images.dtype, device=images.device)
        if fill.dim() == 1 and fill.numel() != images.shape[1]:
            raise ValueError(
                f"RandomErasing expected {images.shape[1]} fill values (one per channel); "
                f"received {fill.numel()}."
            )
        return fill.view(1, -1, 1, 1).clamp(low, high) if fill.dim() else fill.clamp(low, high)

    def get_config(self):
        return {
            **super().get_config(),
            "factor": self.factor,
            "scale": self.scale,
            "fill_value": self.fill_value,
            "value_range": self.value_range,
        }


def _pair(value_range):
    if (
        not isinstance(value_range, (list, tuple))
        or len(value_range) != 2
        or not all(map(is_number, value_range))
    ):
        raise ValueError(
            "RandomErasing expected `value_range` as a pair of numbers (low, high); "
            f"received value_range={value_range!r}."
        )
    return tuple(value_range)
