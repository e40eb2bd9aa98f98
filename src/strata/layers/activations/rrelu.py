"""RReLU: randomized leaky ReLU (not in Keras)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from strata.layers.layer import Layer
from strata.layers.regularization._seed import SeedStream, check_seed


class RReLU(Layer):
    """Leaky ReLU with random negative slopes while training (Xu et al., 2015).

    In training, each negative element gets its own slope drawn from `U(lower, upper)`; in
    inference the slope is the fixed mean `(lower + upper) / 2`. Positive inputs pass through.
    Not a Keras layer; `torch.nn.RReLU`'s behaviour with Keras-style arguments.

    Args:
        lower: the smallest slope (>= 0).
        upper: the largest slope (>= lower).
        seed: integer for reproducible slopes (None: torch's global generator).

    Input shape:
        Any shape.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> layer = strata.layers.RReLU(lower=0.1, upper=0.3)
        >>> layer(torch.tensor([-1.0, 2.0]), training=False).tolist()
        [-0.20000000298023224, 2.0]
    """

    def __init__(self, lower=1.0 / 8.0, upper=1.0 / 3.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        lower, upper = float(lower), float(upper)
        if not 0.0 <= lower <= upper:
            raise ValueError(
                f"RReLU expected 0 <= lower <= upper; received lower={lower}, upper={upper}."
            )
        self.lower = lower
        self.upper = upper
        self.seed = check_seed(seed, "RReLU")
        self._seeds = SeedStream(self.seed)
        self.supports_masking = True

    def call(self, inputs, training=None):
        if not training:
            return F.leaky_relu(inputs, (self.lower + self.upper) / 2.0)
        if self.seed is None:
            return F.rrelu(inputs, self.lower, self.upper, training=True)
        slopes = self._seeds.uniform(inputs.shape, inputs) * (self.upper - self.lower)
        return torch.where(inputs >= 0, inputs, inputs * (slopes + self.lower))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "lower": self.lower,
            "upper": self.upper,
            "seed": self.seed,
        }
