"""RandomFlip: data augmentation that mirrors images at random while training."""

from __future__ import annotations

import torch

from strata.layers.layer import Layer
from strata.layers.regularization._seed import SeedStream, check_seed
from strata.ops.conv_utils import normalize_data_format

_MODES = ("horizontal", "vertical", "horizontal_and_vertical")


class RandomFlip(Layer):
    """Flip each image left-right and/or upside down with probability 1/2, in training only.

    Each image of the batch draws its own flips (one draw per direction). In inference the
    layer is the identity, as Keras's augmentation layers are.

    Args:
        mode: `"horizontal"` (left-right), `"vertical"` (upside down) or
            `"horizontal_and_vertical"`.
        seed: integer for reproducible flips (None: torch's global generator).
        data_format: `"channels_last"` (`(batch, height, width, channels)`) or
            `"channels_first"`; None takes `strata.backend.image_data_format()`.

    Input shape:
        `(batch, height, width, channels)` (or channels first), or one unbatched image.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> image = torch.arange(4.0).reshape(1, 1, 4, 1)
        >>> strata.layers.RandomFlip("horizontal")(image, training=False).flatten().tolist()
        [0.0, 1.0, 2.0, 3.0]
    """

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if mode not in _MODES:
            raise ValueError(f"RandomFlip expected mode one of {list(_MODES)}; received {mode!r}.")
        self.mode = mode
        self.seed = check_seed(seed, "RandomFlip")
        self.data_format = normalize_data_format(data_format)
        self._seeds = SeedStream(self.seed)
        self.supports_masking = False

    def call(self, inputs, training=None):
        if not training:
            return inputs
        batched = inputs.dim() == 4
        images = inputs if batched else inputs.unsqueeze(0)
        height, width = (1, 2) if self.data_format == "channels_last" else (2, 3)
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            images = self._flip_some(images, width)
        if self.mode in ("vertical", "horizontal_and_vertical"):
            images = self._flip_some(images, height)
        return images if batched else images.squeeze(0)

    def _flip_some(self, images, axis):
        """Each image flipped along `axis` with probability 1/2."""
        chosen = self._seeds.uniform((images.shape[0],), images.float()) < 0.5
        chosen = chosen.view(-1, *([1] * (images.dim() - 1)))
        return torch.where(chosen, images.flip(axis), images)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "mode": self.mode,
            "seed": self.seed,
            "data_format": self.data_format,
        }
