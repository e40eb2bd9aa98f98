"""Initializers whose values are fixed: zeros, ones, a constant and the identity matrix."""

import numbers

import numpy as np
import torch

from strata.backend import to_torch_dtype
from strata.initializers.base import Initializer, standardize_shape


class Zeros(Initializer):
    """Fills the weight with zeros.

    Example:
        >>> Zeros()((2, 2)).tolist()
        [[0.0, 0.0], [0.0, 0.0]]
    """

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        return torch.zeros(standardize_shape(shape), dtype=to_torch_dtype(dtype))


class Ones(Initializer):
    """Fills the weight with ones.

    Example:
        >>> Ones()((3,)).tolist()
        [1.0, 1.0, 1.0]
    """

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        return torch.ones(standardize_shape(shape), dtype=to_torch_dtype(dtype))


class Constant(Initializer):
    """Fills the weight with `value`, broadcast to the requested shape.

    Args:
        value: a Python number, or a nested list / array that broadcasts to the shape.

    Example:
        >>> Constant(3.0)((2,)).tolist()
        [3.0, 3.0]
    """

    def __init__(self, value=0.0):
        if isinstance(value, (np.ndarray, torch.Tensor)):
            value = value.tolist()
        if not isinstance(value, (numbers.Number, list, tuple)) or isinstance(value, bool):
            raise ValueError(
                f"Constant expected a number or a nested list of numbers; received {value!r}."
            )
        self.value = value

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        shape = standardize_shape(shape)
        value = torch.as_tensor(self.value, dtype=to_torch_dtype(dtype))
        try:
            return torch.broadcast_to(value, shape).clone()
        except RuntimeError:
            raise ValueError(
                f"Constant expected a value that broadcasts to shape {shape}; received a value "
                f"of shape {tuple(value.shape)}."
            ) from None

    def get_config(self) -> dict:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"value": value}


class Identity(Initializer):
    """The identity matrix times `gain` (rectangular shapes get ones on the main diagonal).

    Args:
        gain: the value on the diagonal.

    Example:
        >>> Identity(gain=2.0)((2, 3)).tolist()
        [[2.0, 0.0, 0.0], [0.0, 2.0, 0.0]]
    """

    def __init__(self, gain=1.0):
        self.gain = float(gain)

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        shape = standardize_shape(shape)
        if len(shape) != 2:
            raise ValueError(
                f"Identity expected a 2D shape (rows, columns); received shape={shape}."
            )
        return torch.eye(*shape, dtype=to_torch_dtype(dtype)) * self.gain

    def get_config(self) -> dict:
        return {"gain": self.gain}
