"""Equalization: each channel's histogram spread evenly over the value range, while training."""

from __future__ import annotations

import torch

from strata.layers.preprocessing._base import ImageAugmentation, check_value_range
from strata.layers.preprocessing._color import rescale


class Equalization(ImageAugmentation):
    """Histogram-equalize every channel of every image, in training only.

    On the 0-255 scale, a channel's values fall in `bins` bins; each value is replaced by its
    bin's cumulative share of the pixels (rounded, from 0 to 255), which flattens the
    histogram. A channel using a single bin is left as it is.

    Args:
        value_range: `(low, high)` of the pixel values.
        bins: the number of histogram bins.
        data_format: `"channels_last"` or `"channels_first"`; None takes the global setting.

    Input shape:
        `(batch, height, width, channels)` (or channels first), or one unbatched image.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> image = torch.tensor([10.0, 10.0, 20.0, 30.0]).reshape(1, 2, 2, 1)
        >>> strata.layers.Equalization()(image, training=True).flatten().tolist()
        [0.0, 0.0, 128.0, 255.0]
    """

    def __init__(self, value_range=(0, 255), bins=256, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if not isinstance(bins, int) or isinstance(bins, bool) or bins < 2:
            raise ValueError(f"Equalization expected `bins` as an integer >= 2; received {bins!r}.")
        self.value_range = check_value_range(value_range, "Equalization")
        self.bins = bins

    def augment(self, images, training):
        batch, channels = images.shape[:2]
        values = rescale(images.float(), self.value_range, (0, 255)).flatten(2)
        index = (values * (self.bins - 1) / 255.0).long().clamp(0, self.bins - 1)
        counts = torch.zeros(batch, channels, self.bins, device=images.device)
        counts.scatter_add_(2, index, torch.ones_like(values))
        cdf = counts.cumsum(2)
        # The count of the lowest occupied bin: its pixels map to 0.
        first = torch.where(counts > 0, cdf, cdf[..., -1:]).amin(2, keepdim=True)
        denominator = cdf[..., -1:] - first
        table = (cdf - first) * 255.0 / torch.where(denominator > 0, denominator, 1.0)
        table = table.round().clamp(0, 255)
        equalized = torch.gather(table, 2, index)
        single_bin = (counts > 0).sum(2, keepdim=True) <= 1
        equalized = torch.where(single_bin, values, equalized).view_as(images)
        return rescale(equalized, (0, 255), self.value_range).to(images.dtype)

    def get_config(self):
        config = super().get_config()
        del config["seed"]
        return {**config, "value_range": self.value_range, "bins": self.bins}
