"""Argument conversion shared by the nn, math, linalg and image ops.

Ops accept torch tensors, NumPy arrays, Python numbers and nested lists. Floats that come from
Python or NumPy's float64 become `floatx()` (as in Keras); tensors keep their dtype.
"""

from __future__ import annotations

import torch

from strata.backend.config import floatx
from strata.backend.conversion import convert_to_tensor, to_torch_dtype


def tensor(value, dtype=None) -> torch.Tensor:
    """`value` as a torch tensor (on the model device unless it already is a tensor)."""
    if isinstance(value, torch.Tensor):
        return value if dtype is None else value.to(to_torch_dtype(dtype))
    return convert_to_tensor(value, dtype=dtype)


def float_tensor(value) -> torch.Tensor:
    """`value` as a floating point tensor: integer and bool inputs become `floatx()`."""
    x = tensor(value)
    if not (x.is_floating_point() or x.is_complex()):
        x = x.to(to_torch_dtype(floatx()))
    return x


def like(value, reference: torch.Tensor) -> torch.Tensor:
    """`value` as a tensor with `reference`'s dtype and device."""
    if isinstance(value, torch.Tensor):
        return value.to(dtype=reference.dtype, device=reference.device)
    return torch.as_tensor(value, dtype=reference.dtype, device=reference.device)


def result_float_dtype(*tensors: torch.Tensor) -> torch.dtype:
    """The float dtype that mixing `tensors` gives (integers count as `floatx()`)."""
    dtype = None
    for t in tensors:
        d = t.dtype if t.is_floating_point() else to_torch_dtype(floatx())
        dtype = d if dtype is None else torch.promote_types(dtype, d)
    return dtype


def axes_tuple(axis, ndim: int, name: str = "axis") -> tuple[int, ...]:
    """`axis` (an int, a sequence of ints, or None for all) as sorted non-negative ints."""
    if axis is None:
        return tuple(range(ndim))
    values = (axis,) if isinstance(axis, int) else tuple(axis)
    result = []
    for a in values:
        if not isinstance(a, int) or not -ndim <= a < max(ndim, 1):
            raise ValueError(f"`{name}` expected integers in [{-ndim}, {ndim}); received {axis!r}.")
        result.append(a % max(ndim, 1))
    return tuple(sorted(result))
