"""RandomColorJitter: brightness, contrast, saturation and hue changed in turn while training."""

from __future__ import annotations

from strata.layers.preprocessing._base import ImageAugmentation, check_value_range
from strata.layers.preprocessing.random_brightness import RandomBrightness
from strata.layers.preprocessing.random_contrast import RandomContrast
from strata.layers.preprocessing.random_hue import RandomHue
from strata.layers.preprocessing.random_saturation import RandomSaturation

_PARTS = (
    ("brightness_factor", RandomBrightness),
    ("contrast_factor", RandomContrast),
    ("saturation_factor", RandomSaturation),
    ("hue_factor", RandomHue),
)


class RandomColorJitter(ImageAugmentation):
    """`RandomBrightness`, `RandomContrast`, `RandomSaturation`, `RandomHue` in that order.

    Each step runs only when its factor is given, with the meaning it has in its own layer;
    all steps draw from this layer's one random stream.

    Args:
        value_range: `(low, high)` of the pixel values.
        brightness_factor: `RandomBrightness`'s factor, or None to skip the step.
        contrast_factor: `RandomContrast`'s factor, or None.
        saturation_factor: `RandomSaturation`'s factor, or None.
        hue_factor: `RandomHue`'s factor, or None.
        seed: integer for reproducible draws.
        data_format: `"channels_last"` or `"channels_first"`; None takes the global setting.

    Input shape:
        `(batch, height, width, 3)` (or channels first), or one unbatched image.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> images = torch.rand(2, 4, 4, 3) * 255
        >>> jitter = strata.layers.RandomColorJitter(brightness_factor=0.2, hue_factor=0.1)
        >>> jitter(images, training=True).shape
        torch.Size([2, 4, 4, 3])
    """

    def __init__(
        self,
        value_range=(0, 255),
        brightness_factor=None,
        contrast_factor=None,
        saturation_factor=None,
        hue_factor=None,
        seed=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range = check_value_range(value_range, "RandomColorJitter")
        self.brightness_factor = brightness_factor
        self.contrast_factor = contrast_factor
        self.saturation_factor = saturation_factor
        self.hue_factor = hue_factor
        steps = []
        for name, cls in _PARTS:
            factor = getattr(self, name)
            if factor is not None:
                step = cls(factor, value_range=self.value_range, data_format=self.data_format)
                step._seeds = self._seeds  # one stream: the steps' draws are independent
                steps.append(step)
        # A plain tuple: the steps hold no weights and are not separate layers of a model.
        self.__dict__["_steps"] = tuple(steps)

    def augment(self, images, training):
        for step in self._steps:
            images = step.augment(images, training)
        return images

    def get_config(self):
        return {
            **super().get_config(),
            "value_range": self.value_range,
            "brightness_factor": self.brightness_factor,
            "contrast_factor": self.contrast_factor,
            "saturation_factor": self.saturation_factor,
            "hue_factor": self.hue_factor,
        }
