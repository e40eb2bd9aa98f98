"""Keras's array-creating `ops.numpy` functions on torch: ranges, constant arrays, identity and
triangle matrices, window functions, and `array`/`view`.

Results land on `strata.backend.device()` unless an input tensor lives elsewhere. Without a
`dtype`, float results are `floatx()` and int results int32, as in Keras.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from strata.backend.config import floatx
from strata.backend.config import tensor_device as device
from strata.backend.conversion import standardize_dtype, to_torch_dtype
from strata.backend.dtypes import promote_dtypes
from strata.ops._symbolic import keras_op
from strata.ops._tensor import device_of, dtype_of, tensor


def _dtype(dtype, default=None):
    return to_torch_dtype(dtype or default or floatx())


def _shape(shape):
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


@keras_op
def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in `[start, stop)` by `step` (one argument: `[0, start)`).

    Args:
        start: the first value (or the stop, when `stop` is None).
        stop: the end (excluded).
        step: the spacing (default 1).
        dtype: the dtype (default: the arguments' promoted type).

    Returns:
        A 1-D tensor.

    Example:
        >>> arange(1, 7, 2).tolist()
        [1, 3, 5]
    """
    if dtype is None:
        dtype = promote_dtypes(*(dtype_of(v) for v in (start, stop, step) if v is not None))
    if stop is None:
        start, stop = 0, start
    step = 1 if step is None else step
    values = [v.item() if isinstance(v, torch.Tensor) else v for v in (start, stop, step)]
    return torch.arange(*values, dtype=_dtype(dtype), device=device())


def _space_dtype(start, stop, dtype):
    return dtype or promote_dtypes(dtype_of(start), dtype_of(stop), float)


@keras_op
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """`num` evenly spaced values from `start` to `stop` (excluded when `endpoint` is False);
    with `retstep`, also the spacing.

    Args:
        start: the first value.
        stop: the last value.
        num: how many values.
        endpoint: include `stop`.
        retstep: also return the spacing.
        dtype: the dtype (default floatx).
        axis: where the new axis goes for tensor `start`/`stop`.

    Returns:
        A tensor of `num` values (and the spacing with `retstep`).
    """
    target = device_of(start, stop) or device()
    start_t = tensor(start, "float64", target)
    stop_t = tensor(stop, "float64", target)
    divisions = (num - 1) if endpoint else num
    step = (stop_t - start_t) / divisions if divisions > 0 else torch.full_like(start_t, math.nan)
    steps = torch.arange(num, dtype=torch.float64, device=target)
    steps = steps.reshape((-1,) + (1,) * start_t.ndim)
    values = start_t + steps * step
    if endpoint and num > 1:
        values[-1] = stop_t
    if axis != 0:
        values = torch.moveaxis(values, 0, axis)
    name = standardize_dtype(_space_dtype(start, stop, dtype))
    values = values.floor() if "int" in name else values
    values = values.to(to_torch_dtype(name))
    return (values, step.to(to_torch_dtype(name))) if retstep else values


@keras_op
def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """`num` values spaced evenly on a log scale, from `base**start` to `base**stop`."""
    exponents = linspace.eager(start, stop, num, endpoint, dtype="float64", axis=axis)
    name = standardize_dtype(_space_dtype(start, stop, dtype))
    return torch.pow(torch.as_tensor(float(base), dtype=torch.float64), exponents).to(
        to_torch_dtype(name)
    )


@keras_op
def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """`num` values spaced evenly on a log scale (a geometric progression) from `start` to
    `stop`."""
    target = device_of(start, stop) or device()
    start_t, stop_t = tensor(start, "float64", target), tensor(stop, "float64", target)
    exponents = linspace.eager(
        torch.log10(start_t.abs()),
        torch.log10(stop_t.abs()),
        num,
        endpoint,
        dtype="float64",
        axis=axis,
    )
    values = torch.pow(10.0, exponents) * torch.sign(start_t)
    name = standardize_dtype(_space_dtype(start, stop, dtype))
    return values.to(to_torch_dtype(name))


@keras_op
def eye(N, M=None, k=0, dtype=None):  # noqa: N803 - Keras's names
    """An `N x M` matrix with ones on the `k`-th diagonal."""
    return _eye(N, N if M is None else M, k, dtype)


def _eye(rows, cols, k, dtype):
    index_r = torch.arange(rows, device=device()).unsqueeze(1)
    index_c = torch.arange(cols, device=device()).unsqueeze(0)
    return (index_c - index_r == k).to(_dtype(dtype))


@keras_op
def identity(n, dtype=None):
    """The `n x n` identity matrix."""
    return _eye(n, n, 0, dtype)


@keras_op
def tri(N, M=None, k=0, dtype=None):  # noqa: N803 - Keras's names
    """An `N x M` matrix with ones at and below the `k`-th diagonal."""
    cols = N if M is None else M
    index_r = torch.arange(N, device=device()).unsqueeze(1)
    index_c = torch.arange(cols, device=device()).unsqueeze(0)
    return (index_c - index_r <= k).to(_dtype(dtype))


@keras_op
def zeros(shape, dtype=None):
    """A tensor of zeros."""
    return torch.zeros(_shape(shape), dtype=_dtype(dtype), device=device())


@keras_op
def ones(shape, dtype=None):
    """A tensor of ones."""
    return torch.ones(_shape(shape), dtype=_dtype(dtype), device=device())


@keras_op
def empty(shape, dtype=None):
    """An uninitialised tensor (its values are whatever the memory held)."""
    return torch.empty(_shape(shape), dtype=_dtype(dtype), device=device())


@keras_op
def full(shape, fill_value, dtype=None):
    """A tensor of `shape` filled with `fill_value` (a number or a broadcastable tensor).

    Args:
        shape: the shape.
        fill_value: the value (a number or a broadcastable tensor).
        dtype: the dtype (default floatx).

    Returns:
        The filled tensor.
    """
    target = device_of(fill_value) or device()
    fill = tensor(fill_value, device=target)
    return torch.broadcast_to(fill.to(_dtype(dtype)), _shape(shape)).clone()


def _like_dtype(x, dtype):
    return to_torch_dtype(dtype) if dtype is not None else x.dtype


@keras_op
def zeros_like(x, dtype=None):
    """Zeros with the shape (and dtype, unless given) of `x`."""
    x = tensor(x)
    return torch.zeros_like(x, dtype=_like_dtype(x, dtype))


@keras_op
def ones_like(x, dtype=None):
    """Ones with the shape (and dtype, unless given) of `x`."""
    x = tensor(x)
    return torch.ones_like(x, dtype=_like_dtype(x, dtype))


@keras_op
def empty_like(x, dtype=None):
    """An uninitialised tensor with the shape (and dtype, unless given) of `x`."""
    x = tensor(x)
    return torch.empty_like(x, dtype=_like_dtype(x, dtype))


@keras_op
def full_like(x, fill_value, dtype=None):
    """`fill_value` in the shape (and dtype, unless given) of `x`."""
    x = tensor(x)
    fill = tensor(fill_value, device=x.device).to(_like_dtype(x, dtype))
    return torch.broadcast_to(fill, x.shape).clone()


@keras_op
def array(x, dtype=None):
    """`x` as a tensor (of `dtype` when given)."""
    return tensor(x, dtype)


@keras_op
def view(x, dtype=None):
    """The bytes of `x` reinterpreted as `dtype` (the last axis rescales if sizes differ)."""
    x = tensor(x)
    return x if dtype is None else x.view(to_torch_dtype(dtype))


def _window(fn):
    def make(x):
        length = int(x.item() if isinstance(x, torch.Tensor) else x)
        return fn(length, dtype=to_torch_dtype(floatx()), device=device())

    return make


@keras_op
def bartlett(x):
    """The Bartlett (triangular) window of `x` points."""
    return _window(torch.signal.windows.bartlett)(x)


@keras_op
def blackman(x):
    """The Blackman window of `x` points."""
    return _window(torch.signal.windows.blackman)(x)


@keras_op
def hamming(x):
    """The Hamming window of `x` points."""
    return _window(torch.signal.windows.hamming)(x)


@keras_op
def hanning(x):
    """The Hann window of `x` points."""
    return _window(torch.signal.windows.hann)(x)


@keras_op
def kaiser(x, beta):
    """The Kaiser window of `x` points with shape parameter `beta`."""
    length = int(x.item() if isinstance(x, torch.Tensor) else x)
    return torch.signal.windows.kaiser(
        length, beta=float(beta), dtype=to_torch_dtype(floatx()), device=device()
    )


__all__ = [
    "arange",
    "array",
    "bartlett",
    "blackman",
    "empty",
    "empty_like",
    "eye",
    "full",
    "full_like",
    "geomspace",
    "hamming",
    "hanning",
    "identity",
    "kaiser",
    "linspace",
    "logspace",
    "ones",
    "ones_like",
    "tri",
    "view",
    "zeros",
    "zeros_like",
]
