"""RandAugment: a few operations picked at random from a fixed set, applied while training."""

from __future__ import annotations

from strata.layers.preprocessing._base import (
    ImageAugmentation,
    check_choice,
    check_value_range,
    factor_range,
)
from strata.layers.preprocessing._geometry import INTERPOLATIONS
from strata.layers.preprocessing._policies import (
    COLOUR,
    GEOMETRIC_AND_TONAL,
    build_operations,
    choose,
)


class RandAugment(ImageAugmentation):
    """Apply `num_ops` operations, each picked at random for the batch, in training only.

    The operations are Keras's eleven: shear, translation, rotation, posterization,
    solarization, auto-contrast, equalization, brightness, colour degeneration, contrast and
    sharpness, each at strength `factor` (passed to the single layers as their factor, as in
    Keras) and each with its own random parameters per image.

    Args:
        value_range: `(low, high)` of the pixel values.
        num_ops: how many operations to apply in turn.
        factor: a number `f` in [0, 1] (strengths in `[0, f]`) or a pair in [0, 1].
        interpolation: `"bilinear"` or `"nearest"`, for the geometric operations.
        seed: integer for reproducible draws.
        data_format: `"channels_last"` or `"channels_first"`; None takes the global setting.

    Input shape:
        `(batch, height, width, 3)` (or channels first), or one unbatched image.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> images = torch.rand(4, 8, 8, 3) * 255
        >>> strata.layers.RandAugment(seed=0)(images, training=True).shape
        torch.Size([4, 8, 8, 3])
    """

    def __init__(
        self,
        value_range=(0, 255),
        num_ops=2,
        factor=0.5,
        interpolation="bilinear",
        seed=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if not isinstance(num_ops, int) or isinstance(num_ops, bool) or num_ops < 0:
            raise ValueError(
                f"RandAugment expected `num_ops` as a non-negative integer; received {num_ops!r}."
            )
        self.value_range = check_value_range(value_range, "RandAugment")
        self.num_ops = num_ops
        self.factor = factor_range(factor, "RandAugment", bounds=(0.0, 1.0), symmetric=False)
        self.interpolation = check_choice(
            interpolation, INTERPOLATIONS, "RandAugment", "interpolation"
        )
        operations = build_operations(
            self, GEOMETRIC_AND_TONAL + COLOUR, self.factor, self.value_range, interpolation
        )
        # A plain attribute: the operations hold no weights and are not layers of the model.
        self.__dict__["_operations"] = operations

    def augment(self, images, training):
        for _ in range(self.num_ops):
            operation = self._operations[choose(self, len(self._operations))]
            images = operation.augment(images, training)
        return images

    def get_config(self):
        return {
            **super().get_config(),
            "value_range": self.value_range,
            "num_ops": self.num_ops,
            "factor": self.factor,
            "interpolation": self.interpolation,
        }
