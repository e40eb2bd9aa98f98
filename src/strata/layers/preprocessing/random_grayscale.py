"""RandomGrayscale: some images of the batch turned to grey while training."""

from __future__ import annotations

import torch

from strata.layers.preprocessing._base import ImageAugmentation, is_number
from strata.layers.preprocessing._color import grayscale


class RandomGrayscale(ImageAugmentation):
    """Turn each image to greyscale with probability `factor`, in training only.

    The grey value (ITU-R 601 luma) is repeated over the image's channels, so the output keeps
    the input's shape.

    Args:
        factor: the probability, in [0, 1], that an image becomes grey.
        data_format: `"channels_last"` or `"channels_first"`; None takes the global setting.
        seed: integer for reproducible choices.

    Input shape:
        `(batch, height, width, 3)` (or channels first, or one channel), or one unbatched
        image.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> image = torch.tensor([255.0, 0.0, 0.0]).reshape(1, 1, 1, 3)
        >>> grey = strata.layers.RandomGrayscale(1.0)(image, training=True)
        >>> [round(v, 2) for v in grey.flatten().tolist()]
        [76.22, 76.22, 76.22]
    """

    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if not is_number(factor) or not 0 <= factor <= 1:
            raise ValueError(
                f"RandomGrayscale expected `factor` as a probability in [0, 1]; "
                f"received factor={factor!r}."
            )
        self.factor = factor

    def augment(self, images, training):
        chosen = self.uniform((images.shape[0], 1, 1, 1), images) < self.factor
        return torch.where(chosen, grayscale(images).expand_as(images), images)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}
