"""AutoContrast: each channel of each image stretched to the full value range."""

from __future__ import annotations

import torch

from strata.layers.preprocessing._base import ImageAugmentation, check_value_range


class AutoContrast(ImageAugmentation):
    """Stretch every channel of every image linearly so its values span `value_range`.

    Not random, and applied in inference as well as in training (as in Keras). A channel with
    a single value is left as it is.

    Args:
        value_range: `(low, high)` of the pixel values.

    Input shape:
        `(batch, height, width, channels)` (or channels first), or one unbatched image.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> image = torch.tensor([50.0, 100.0, 150.0]).reshape(1, 1, 3, 1)
        >>> strata.layers.AutoContrast()(image).flatten().tolist()
        [0.0, 127.5, 255.0]
    """

    acts_in_inference = True

    def __init__(self, value_range=(0, 255), **kwargs):
        super().__init__(**kwargs)
        self.value_range = check_value_range(value_range, "AutoContrast")

    def augment(self, images, training):
        target_low, target_high = self.value_range
        low = images.amin(dim=(2, 3), keepdim=True)
        high = images.amax(dim=(2, 3), keepdim=True)
        spread = high - low
        scale = (target_high - target_low) / torch.where(spread > 0, spread, 1.0)
        stretched = ((images - low) * scale + target_low).clamp(target_low, target_high)
        return torch.where(spread > 0, stretched, images)

    def get_config(self):
        config = super().get_config()
        del config["seed"]
        return {**config, "value_range": self.value_range}
