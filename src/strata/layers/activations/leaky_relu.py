"""LeakyReLU: a small slope for negative inputs."""

from __future__ import annotations

import warnings

import torch.nn.functional as F

from strata.layers.layer import Layer


class LeakyReLU(Layer):
    """`x` for `x >= 0`, `negative_slope * x` otherwise.

    Args:
        negative_slope: the slope for negative inputs (Keras 3's default 0.3); must be >= 0.
            The legacy name `alpha` is accepted with a warning.

    Input shape:
        Any shape.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> strata.layers.LeakyReLU(negative_slope=0.5)(torch.tensor([-2.0, 3.0])).tolist()
        [-1.0, 3.0]
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn(
                "LeakyReLU's argument `alpha` is deprecated; use `negative_slope`.",
                DeprecationWarning,
                stacklevel=2,
            )
        super().__init__(**kwargs)
        if negative_slope is None or float(negative_slope) < 0.0:
            raise ValueError(
                f"LeakyReLU expected `negative_slope` >= 0; received {negative_slope!r}."
            )
        self.negative_slope = float(negative_slope)
        self.supports_masking = True

    def call(self, inputs):
        return F.leaky_relu(inputs, self.negative_slope)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}
