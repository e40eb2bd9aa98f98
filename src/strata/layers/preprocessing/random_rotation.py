"""RandomRotation: each image turned by its own random angle while training."""

from __future__ import annotations

from strata.layers.preprocessing._base import GeometricAugmentation, factor_range
from strata.layers.preprocessing._geometry import affine_matrices


class RandomRotation(GeometricAugmentation):
    """Rotate each image about its centre by a random fraction of a full turn, in training only.

    Each image draws an angle uniformly in `[lower, upper] * 360` degrees (positive angles turn
    counter-clockwise). Pixels that come from outside the image are filled per `fill_mode`. In
    inference the layer returns its input (cast to the layer's dtype).

    Args:
        factor: a number `f` (angles in `[-f, f]` turns) or a pair `(lower, upper)`, in [-1, 1];
            `0.25` is a quarter turn.
        fill_mode: `"reflect"` (mirror about the edge, `d c b a | a b c d | d c b a`),
            `"wrap"` (tile), `"constant"` (`fill_value`) or `"nearest"` (repeat the edge pixel).
        interpolation: `"bilinear"` or `"nearest"`.
        seed: integer for reproducible angles.
        fill_value: the value outside the image with `fill_mode="constant"`.
        data_format: `"channels_last"` or `"channels_first"`; None takes the global setting.

    Input shape:
        `(batch, height, width, channels)` (or channels first), or one unbatched image.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> image = torch.tensor([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 2, 1)
        >>> turn = strata.layers.RandomRotation((0.25, 0.25))
        >>> [round(v, 4) for v in turn(image, training=True).flatten().tolist()]
        [2.0, 4.0, 1.0, 3.0]
    """

    def __init__(
        self,
        factor,
        fill_mode="reflect",
        interpolation="bilinear",
        seed=None,
        fill_value=0.0,
        data_format=None,
        **kwargs,
    ):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.factor = factor_range(factor, "RandomRotation")

    def augment(self, images, training):
        batch, _, height, width = images.shape
        lower, upper = self.factor
        angle = self.uniform((batch,), images, lower * 360.0, upper * 360.0)
        return self.resample(images, affine_matrices(height, width, angle=angle))

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}
