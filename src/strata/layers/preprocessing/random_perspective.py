"""RandomPerspective: some images seen from a random viewpoint while training."""

from __future__ import annotations

import torch

from strata.layers.preprocessing._base import (
    ImageAugmentation,
    check_choice,
    factor_range,
    is_number,
)
from strata.layers.preprocessing._geometry import INTERPOLATIONS, homographies, transform


class RandomPerspective(ImageAugmentation):
    """Warp each image by a random projective map, with a random probability, in training.

    Each image draws a probability `p` in `factor`'s range and is warped when a second uniform
    draw falls below `p`. The warp moves each image corner `c` (in pixel coordinates) to
    `c * (1 + d)` with `d` uniform in `[-scale / 2, scale / 2]` per coordinate (so, as in
    Keras, the top-left corner stays put), and resamples the image under the projective map
    between the two quadrilaterals; uncovered pixels get `fill_value`.

    Args:
        factor: a number `f` in [0, 1] (probabilities in `[0, f]`) or a pair in [0, 1].
        scale: the strength of the corner moves, in [0, 1].
        interpolation: `"bilinear"` or `"nearest"`.
        fill_value: the value of pixels that come from outside the image.
        seed: integer for reproducible draws.
        data_format: `"channels_last"` or `"channels_first"`; None takes the global setting.

    Input shape:
        `(batch, height, width, channels)` (or channels first), or one unbatched image.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> images = torch.rand(2, 8, 8, 3)
        >>> warp = strata.layers.RandomPerspective(factor=(1.0, 1.0), scale=0.5, seed=0)
        >>> warp(images, training=True).shape
        torch.Size([2, 8, 8, 3])
    """

    def __init__(
        self,
        factor=1.0,
        scale=1.0,
        interpolation="bilinear",
        fill_value=0.0,
        seed=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(factor, "RandomPerspective", bounds=(0.0, 1.0), symmetric=False)
        if not is_number(scale) or not 0 <= scale <= 1:
            raise ValueError(
                f"RandomPerspective expected `scale` as a number in [0, 1]; received {scale!r}."
            )
        self.scale = scale
        self.interpolation = check_choice(
            interpolation, INTERPOLATIONS, "RandomPerspective", "interpolation"
        )
        if not is_number(fill_value):
            raise ValueError(
                f"RandomPerspective expected `fill_value` as a number; received {fill_value!r}."
            )
        self.fill_value = fill_value

    def augment(self, images, training):
        batch, _, height, width = images.shape
        probability = self.uniform((batch,), images, *self.factor)
        chosen = self.uniform((batch,), images) < probability
        moves = self.uniform((batch, 4, 2), images, -0.5 * self.scale, 0.5 * self.scale)
        corners = torch.tensor(
            [[0.0, 0.0], [width - 1, 0.0], [0.0, height - 1], [width - 1, height - 1]],
            device=images.device,
        ).expand(batch, 4, 2)
        return self.warp(images, corners, corners + corners * moves, chosen)

    def warp(self, images, start, end, chosen=None):
        """Images warped so that the `start` corners `(batch, 4, 2)` land on `end`."""
        warped = transform(
            images, homographies(start, end), self.interpolation, "constant", self.fill_value
        )
        if chosen is None:
            return warped
        return torch.where(chosen.view(-1, 1, 1, 1), warped, images)

    def get_config(self):
        return {
            **super().get_config(),
            "factor": self.factor,
            "scale": self.scale,
            "interpolation": self.interpolation,
            "fill_value": self.fill_value,
        }
