"""CutMix: a random patch of each image replaced by the same patch of another image."""

from __future__ import annotations

import torch

from strata.layers.preprocessing._base import factor_range
from strata.layers.preprocessing._mixing import MixingAugmentation


class CutMix(MixingAugmentation):
    """Paste a random rectangle of a partner image into each image, in training only.

    The batch is shuffled; a Beta parameter `a` is drawn in `factor`'s range (once per batch),
    each image draws `w ~ Beta(a, a)` and gets a rectangle with sides `sqrt(1 - w)` times the
    image's, at a uniform place, copied from its partner. Given a dict `{"images": ...,
    "labels": ...}`, the labels are blended by the share of the image that was kept.

    Args:
        factor: a number `f` in [0, 1] (Beta parameters in `[0, f]`) or a pair in [0, 1].
        seed: integer for reproducible draws.
        data_format: `"channels_last"` or `"channels_first"`; None takes the global setting.

    Input shape:
        `(batch, height, width, channels)` (or channels first), or a dict with `"images"` and
        optional `"labels"` `(batch, classes)`.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> images = torch.stack([torch.zeros(8, 8, 1), torch.ones(8, 8, 1)])
        >>> labels = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
        >>> out = strata.layers.CutMix(seed=1)({"images": images, "labels": labels}, training=True)
        >>> bool(torch.allclose(out["images"].mean(dim=(1, 2, 3)), out["labels"][:, 1]))
        True
    """

    def __init__(self, factor=1.0, seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(factor, "CutMix", bounds=(0.0, 1.0), symmetric=False)

    def mix(self, images):
        batch, _, height, width = images.shape
        alpha = self.uniform((), images, *self.factor) + 1e-6
        ratio = torch.sqrt(1.0 - self.beta((batch,), alpha, images))
        box_w, box_h = ratio * width, ratio * height
        x0 = self.uniform((batch,), images) * (width - box_w)
        y0 = self.uniform((batch,), images) * (height - box_h)
        order = self.permutation(batch, images)
        xs = torch.arange(width, device=images.device).view(1, 1, width)
        ys = torch.arange(height, device=images.device).view(1, height, 1)
        inside = (xs >= x0.view(-1, 1, 1)) & (xs < (x0 + box_w).view(-1, 1, 1))
        inside = inside & (ys >= y0.view(-1, 1, 1)) & (ys < (y0 + box_h).view(-1, 1, 1))
        mixed = torch.where(inside.unsqueeze(1), images[order], images)
        # The labels follow the pixels actually pasted (Keras uses the rectangle's area).
        kept = 1.0 - inside.flatten(1).float().mean(1)
        return mixed, order, kept

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}
