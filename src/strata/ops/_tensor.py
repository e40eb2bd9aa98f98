"""Conversions that every op shares: values to torch tensors, following Keras's torch backend.

NumPy arrays keep their dtype (float64 stays float64, as `keras.ops` does); Python ints become
int32 and Python floats `floatx()`; lists go through NumPy with the same two rules. A value is
put on the device of the first tensor among an op's arguments (so ops run on the meta device
during shape inference, and on the GPU next to GPU tensors), else on `strata.backend.device()`.
"""

from __future__ import annotations

import numpy as np
import torch

from strata.backend.config import floatx
from strata.backend.config import tensor_device as default_device
from strata.backend.conversion import standardize_dtype, to_torch_dtype
from strata.backend.dtypes import promote_dtypes


def device_of(*values):
    """The device of the first torch tensor among `values` (searched one level into lists)."""
    for value in values:
        if isinstance(value, torch.Tensor):
            return value.device
        if isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, torch.Tensor):
                    return item.device
    return None


def tensor(value, dtype=None, device=None) -> torch.Tensor:
    """`value` as a torch tensor (of `dtype` when given) on `device` (else its own or default)."""
    torch_dtype = to_torch_dtype(dtype) if dtype is not None else None
    if isinstance(value, torch.Tensor):
        if device is not None and value.device != device and value.device.type != "meta":
            value = value.to(device)
        return value if torch_dtype is None or value.dtype == torch_dtype else value.to(torch_dtype)
    target = device if device is not None else default_device()
    if isinstance(value, bool):
        out = torch.tensor(value, device=target)
    elif isinstance(value, int):
        out = torch.tensor(value, dtype=torch.int32, device=target)
    elif isinstance(value, float):
        out = torch.tensor(value, dtype=to_torch_dtype(floatx()), device=target)
    else:
        out = _from_array(value, target)
    return out if torch_dtype is None or out.dtype == torch_dtype else out.to(torch_dtype)


def _from_array(value, target) -> torch.Tensor:
    if isinstance(value, (list, tuple)) and any(isinstance(v, torch.Tensor) for v in value):
        return torch.stack([tensor(v, device=target) for v in value])
    array = np.asarray(value)
    if not isinstance(value, (np.ndarray, np.generic)):
        # Python lists: ints are int32 and floats floatx, as Keras converts them.
        if array.dtype == np.int64:
            array = array.astype("int32")
        elif array.dtype == np.float64:
            array = array.astype(floatx())
    if array.dtype.kind in "USO":
        raise ValueError(f"Expected numeric values; received an array of {array.dtype}.")
    if not array.flags.c_contiguous or not array.flags.writeable:
        array = array.copy(order="C")
    return torch.from_numpy(array).to(target)


def dtype_of(value):
    """The dtype name of a value for promotion; Python int and float stay weak (`int`, `float`)."""
    if isinstance(value, torch.Tensor):
        return standardize_dtype(value.dtype)
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return type(value)
    if isinstance(value, (np.ndarray, np.generic)):
        return standardize_dtype(value.dtype)
    return standardize_dtype(tensor(value, device="cpu").dtype)


def name(value) -> str:
    """The dtype name of `value` once converted."""
    dtype = dtype_of(value)
    return standardize_dtype(dtype)


def promote(*values, dtype=None):
    """All `values` as tensors of their Keras result type (or `dtype`), on one device."""
    if dtype is None and _same_dtype_tensors(values):
        return list(values)  # the common case: nothing to promote or move
    target = device_of(*values)
    dtype = dtype or promote_dtypes(*(dtype_of(v) for v in values))
    return [tensor(v, dtype, target) for v in values]


def _same_dtype_tensors(values) -> bool:
    first = values[0]
    if not isinstance(first, torch.Tensor):
        return False
    return all(
        isinstance(v, torch.Tensor) and v.dtype == first.dtype and v.device == first.device
        for v in values[1:]
    )


def floating(x: torch.Tensor) -> torch.Tensor:
    """`x` cast to floatx when it holds ints or bools (what Keras's float-only ops do)."""
    if x.dtype.is_floating_point or x.dtype.is_complex:
        return x
    return x.to(to_torch_dtype(floatx()))


def canonical_axis(axis, ndim):
    """`axis` (int, sequence or None) as a tuple of non-negative ints (None stays None)."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return tuple(a % ndim if ndim else a for a in axes)


def is_float(x: torch.Tensor) -> bool:
    return x.dtype.is_floating_point


def is_int(x: torch.Tensor) -> bool:
    return not x.dtype.is_floating_point and not x.dtype.is_complex and x.dtype != torch.bool
