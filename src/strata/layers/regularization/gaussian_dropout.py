"""GaussianDropout: multiplicative Gaussian noise centred on 1 while training."""

from __future__ import annotations

import math

from strata.layers.layer import Layer
from strata.layers.regularization._seed import SeedStream, check_rate, check_seed


class GaussianDropout(Layer):
    """Multiply every element by `N(1, rate / (1 - rate))` noise in training.

    The variance matches that of dropout with the same `rate` (Srivastava et al., 2014); the
    mean is kept. Identity in inference.

    Args:
        rate: the equivalent drop probability, in [0, 1).
        seed: integer for reproducible draws (None: torch's global generator).

    Input shape:
        Any shape.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> strata.layers.GaussianDropout(0.3)(torch.ones(3), training=False).tolist()
        [1.0, 1.0, 1.0]
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = check_rate(rate, "GaussianDropout", allow_one=False)
        self.seed = check_seed(seed, "GaussianDropout")
        self._seeds = SeedStream(self.seed)
        self.supports_masking = True

    def call(self, inputs, training=None):
        if not training or self.rate == 0.0:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        return inputs * self._seeds.normal(inputs.shape, inputs, 1.0, stddev)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
