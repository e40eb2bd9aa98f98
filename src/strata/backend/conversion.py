"""Conversions between NumPy, Python values and torch tensors."""

import numpy as np
import torch

from strata.backend.config import device, floatx

_DTYPES = {
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "float32": torch.float32,
    "float64": torch.float64,
    "int8": torch.int8,
    "int16": torch.int16,
    "int32": torch.int32,
    "int64": torch.int64,
    "uint8": torch.uint8,
    "uint16": torch.uint16,
    "uint32": torch.uint32,
    "uint64": torch.uint64,
    "bool": torch.bool,
    "complex64": torch.complex64,
    "complex128": torch.complex128,
}
_NAMES = {v: k for k, v in _DTYPES.items()}
_ALIASES = {"int": "int32"}  # as Keras spells Python ints


def standardize_dtype(dtype) -> str | None:
    """Any dtype spelling (`'float32'`, `torch.float32`, `np.float32`, `float`) as a name."""
    if dtype is None:
        return None
    if isinstance(dtype, torch.dtype):
        return _NAMES[dtype]
    if dtype is float:
        return "float32"
    if dtype is int:
        return "int32"  # Keras's torch backend: Python ints are int32
    if dtype is bool:
        return "bool"
    if dtype is complex:
        return "complex64"
    if isinstance(dtype, str) and dtype in _ALIASES:
        return _ALIASES[dtype]
    name = np.dtype(dtype).name if not isinstance(dtype, str) else dtype
    if name not in _DTYPES:
        raise ValueError(f"Expected a dtype among {sorted(_DTYPES)}; received {dtype!r}.")
    return name


def to_torch_dtype(dtype) -> torch.dtype:
    return _DTYPES[standardize_dtype(dtype) or floatx()]


def convert_to_tensor(value, dtype=None, target_device=None) -> torch.Tensor:
    """A torch tensor on the model device; float64 NumPy input becomes floatx like in Keras."""
    target_device = target_device or device()
    if isinstance(value, torch.Tensor):
        tensor = value
    else:
        array = np.asarray(value)
        if array.dtype == np.float64 and dtype is None:
            array = array.astype(floatx())
        elif array.dtype.kind == "U" or array.dtype == object:
            raise ValueError(
                "Expected numeric data (a NumPy array or tensor); "
                f"received an array of {array.dtype}."
            )
        # ascontiguousarray would turn a 0-d array into a 1-d one.
        tensor = torch.from_numpy(array if array.flags.c_contiguous else array.copy(order="C"))
    if dtype is not None:
        tensor = tensor.to(to_torch_dtype(dtype))
    return tensor.to(target_device, non_blocking=True)


def convert_to_numpy(value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        value = value.detach()
        if value.dtype == torch.bfloat16:
            value = value.float()
        return value.cpu().numpy()
    return np.asarray(value)
