"""MixUp: images (and labels) blended with other samples of the batch while training."""

from __future__ import annotations

from strata.layers.preprocessing._base import is_number
from strata.layers.preprocessing._mixing import MixingAugmentation


class MixUp(MixingAugmentation):
    """Blend each image with another image of the batch, in training only.

    The batch is shuffled; each image `x` draws a weight `w ~ Beta(alpha, alpha)` and becomes
    `w * x + (1 - w) * x'`, where `x'` is its partner in the shuffled batch. Given a dict
    `{"images": ..., "labels": ...}`, the (one-hot) labels are blended with the same weights
    and the dict is returned.

    Args:
        alpha: the Beta distribution's parameter (small values keep most images nearly whole).
        data_format: `"channels_last"` or `"channels_first"`; None takes the global setting.
        seed: integer for reproducible draws.

    Input shape:
        `(batch, height, width, channels)` (or channels first), or a dict with `"images"` and
        optional `"labels"` `(batch, classes)`.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> images = torch.stack([torch.zeros(4, 4, 3), torch.ones(4, 4, 3)])
        >>> labels = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
        >>> out = strata.layers.MixUp(seed=0)({"images": images, "labels": labels}, training=True)
        >>> bool(torch.allclose(out["images"].mean(dim=(1, 2, 3)), out["labels"][:, 1]))
        True
    """

    def __init__(self, alpha=0.2, data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if not is_number(alpha) or alpha <= 0:
            raise ValueError(f"MixUp expected `alpha` as a positive number; received {alpha!r}.")
        self.alpha = alpha

    def mix(self, images):
        batch = images.shape[0]
        order = self.permutation(batch, images)
        weight = self.beta((batch,), self.alpha, images)
        w = weight.view(-1, 1, 1, 1).to(images.dtype)
        return w * images + (1 - w) * images[order], order, weight

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}
