"""Rescaling: multiply inputs by a scale and add an offset (pixel values to [0, 1], ...)."""

from __future__ import annotations

import numbers

import torch

from strata.backend.conversion import to_torch_dtype
from strata.layers.layer import Layer


class Rescaling(Layer):
    """`inputs * scale + offset`, computed in the layer's float dtype.

    Integer inputs (uint8 images) become floats first, as in Keras. `scale` and `offset` are
    numbers, or lists broadcast against the input's last axes (one value per channel).

    Args:
        scale: the factor (`1 / 255` maps bytes to [0, 1]).
        offset: added after scaling (`-1` with `scale=1 / 127.5` maps bytes to [-1, 1]).

    Input shape:
        Any shape.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> strata.layers.Rescaling(1 / 255)(torch.tensor([[0, 255]], dtype=torch.uint8)).tolist()
        [[0.0, 1.0]]
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = _factor(scale, "scale")
        self.offset = _factor(offset, "offset")
        self.supports_masking = True

    def call(self, inputs):
        dtype = to_torch_dtype(self.dtype)
        values = inputs.to(dtype)
        scale = torch.as_tensor(self.scale, dtype=dtype, device=values.device)
        offset = torch.as_tensor(self.offset, dtype=dtype, device=values.device)
        return values * scale + offset

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


def _factor(value, name):
    """A number or a (nested) list of numbers, as JSON keeps it."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, tuple):
        value = list(value)
    flat = value if isinstance(value, list) else [value]
    while flat and isinstance(flat[0], list):
        flat = [item for row in flat for item in row]
    if not flat or not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in flat):
        raise ValueError(
            f"Rescaling expected {name} as a number or a list of numbers; received {value!r}."
        )
    return float(value) if not isinstance(value, list) else value
