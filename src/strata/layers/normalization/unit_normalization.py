"""UnitNormalization: scale each sample to unit L2 norm along some axes."""

from __future__ import annotations

import torch

from strata.layers.layer import Layer
from strata.layers.normalization._moments import check_axis_argument, normalize_axes


class UnitNormalization(Layer):
    """`x / sqrt(max(sum(x**2, axis), 1e-12))`: unit L2 norm along `axis`.

    Args:
        axis: an axis or a list of axes along which the norm is taken.

    Input shape:
        Any shape.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> strata.layers.UnitNormalization()(torch.tensor([[3.0, 4.0]])).tolist()
        [[0.6000000238418579, 0.800000011920929]]
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = check_axis_argument(axis, "UnitNormalization")
        self.supports_masking = True

    def build(self, input_shape):
        self._axes = normalize_axes(self.axis, len(input_shape), "UnitNormalization")
        self.built = True

    def call(self, inputs):
        squares = inputs.square().sum(dim=self._axes, keepdim=True)
        return inputs * torch.rsqrt(squares.clamp(min=1e-12))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
