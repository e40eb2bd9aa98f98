"""Softmax: normalized exponentials along an axis, with mask support."""

from __future__ import annotations

import torch

from strata.layers.layer import Layer


def _large_negative(dtype: torch.dtype) -> float:
    # Large enough to vanish after exp, small enough not to overflow the dtype.
    return -3e4 if dtype == torch.float16 else -1e9


class Softmax(Layer):
    """`exp(x) / sum(exp(x), axis)`, ignoring masked positions.

    Args:
        axis: an axis or a list of axes along which the softmax is taken.

    Call arguments:
        inputs: the scores.
        mask: optional boolean tensor broadcastable to `inputs`; False positions get a large
            negative score, hence a (near) zero probability.

    Input shape:
        Any shape.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> scores = torch.tensor([[1.0, 1.0, 5.0]])
        >>> strata.layers.Softmax()(scores, mask=torch.tensor([[True, True, False]])).tolist()
        [[0.5, 0.5, 0.0]]
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        values = list(axis) if isinstance(axis, (list, tuple)) else [axis]
        if not values or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            raise ValueError(f"Softmax expected an int or a list of ints; received axis={axis!r}.")
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is not None:
            inputs = inputs + (1.0 - mask.to(inputs.dtype)) * _large_negative(inputs.dtype)
        if isinstance(self.axis, list):
            return torch.exp(inputs - torch.logsumexp(inputs, dim=self.axis, keepdim=True))
        return torch.softmax(inputs, dim=self.axis)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
