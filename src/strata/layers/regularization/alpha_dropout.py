"""AlphaDropout: dropout that keeps SELU's self-normalization."""

from __future__ import annotations

from strata.layers.layer import Layer
from strata.layers.regularization._seed import SeedStream, check_rate, check_seed

_ALPHA = 1.6732632423543772848170429916717
_SCALE = 1.0507009873554804934193349852946
# SELU's limit for large negative inputs: dropped units take this value, not 0.
ALPHA_PRIME = -_ALPHA * _SCALE


class AlphaDropout(Layer):
    """Set dropped units to SELU's negative saturation value, then restore mean and variance.

    In training, each unit is dropped with probability `rate` and replaced by
    `alpha' = -1.7580993408473766`; the result is mapped through `a * x + b` with
    `a = ((1 - rate) * (1 + rate * alpha'**2)) ** -0.5` and `b = -a * alpha' * rate`, so inputs
    of zero mean and unit variance keep them (Klambauer et al., 2017). In inference the layer
    is the identity.

    Args:
        rate: the probability of dropping a unit, in [0, 1).
        noise_shape: shape of the keep/drop pattern, broadcast over the input (None entries take
            the input's size); None: every element independently.
        seed: integer for reproducible draws (None: torch's global generator).

    Input shape:
        Any shape.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> layer = strata.layers.AlphaDropout(0.2)
        >>> layer(torch.ones(2, 3), training=False).tolist()
        [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = check_rate(rate, "AlphaDropout", allow_one=False)
        self.noise_shape = None if noise_shape is None else list(noise_shape)
        self.seed = check_seed(seed, "AlphaDropout")
        self._seeds = SeedStream(self.seed)
        self.supports_masking = True

    def call(self, inputs, training=None):
        if not training or self.rate == 0.0:
            return inputs
        shape = _concrete_noise_shape(self.noise_shape, inputs.shape)
        keep = (self._seeds.uniform(shape, inputs) >= self.rate).to(inputs.dtype)
        a = ((1.0 - self.rate) * (1.0 + self.rate * ALPHA_PRIME**2)) ** -0.5
        b = -a * ALPHA_PRIME * self.rate
        # a * (x * keep + alpha' * (1 - keep)) + b
        return inputs * (a * keep) + (a * ALPHA_PRIME * (1.0 - keep) + b)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "rate": self.rate,
            "noise_shape": self.noise_shape,
            "seed": self.seed,
        }


def _concrete_noise_shape(noise_shape, input_shape):
    if noise_shape is None:
        return tuple(input_shape)
    if len(noise_shape) != len(input_shape):
        raise ValueError(
            f"Expected `noise_shape` of rank {len(input_shape)} for an input of shape "
            f"{tuple(input_shape)}; received noise_shape={noise_shape}."
        )
    pairs = zip(noise_shape, input_shape, strict=True)
    return tuple(size if n is None else int(n) for n, size in pairs)
