"""GaussianNoise: additive zero-centred Gaussian noise while training."""

from __future__ import annotations

from strata.layers.layer import Layer
from strata.layers.regularization._seed import SeedStream, check_seed


class GaussianNoise(Layer):
    """Add `N(0, stddev**2)` noise to every element in training; identity in inference.

    Args:
        stddev: standard deviation of the noise (>= 0).
        seed: integer for reproducible draws (None: torch's global generator).

    Input shape:
        Any shape.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> layer = strata.layers.GaussianNoise(0.1)
        >>> layer(torch.ones(2), training=False).tolist()
        [1.0, 1.0]
        >>> bool((layer(torch.ones(2), training=True) != 1.0).all())
        True
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        if stddev is None or not float(stddev) >= 0.0:
            raise ValueError(f"GaussianNoise expected `stddev` >= 0; received {stddev!r}.")
        self.stddev = float(stddev)
        self.seed = check_seed(seed, "GaussianNoise")
        self._seeds = SeedStream(self.seed)
        self.supports_masking = True

    def call(self, inputs, training=None):
        if not training or self.stddev == 0.0:
            return inputs
        return inputs + self._seeds.normal(inputs.shape, inputs, 0.0, self.stddev)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}
