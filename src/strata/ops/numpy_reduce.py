"""Keras's reductions in `ops.numpy` on torch: sums, products, means, extrema, arg-extrema,
spreads, cumulative sums and products, and their NaN-ignoring variants.

Dtypes follow Keras: sums and products of bools and small ints are int32; means and variances
of ints are floats; arg-reductions give int32. Statistics (quantiles, histograms, ...) are in
`numpy_stats`.
"""

from __future__ import annotations

import torch

from strata.backend.conversion import standardize_dtype, to_torch_dtype
from strata.backend.dtypes import promote_dtypes
from strata.ops._symbolic import keras_op
from strata.ops._tensor import canonical_axis, tensor

_SMALL_INTS = ("bool", "uint8", "int8", "int16")


def _axes(x, axis):
    """`axis` normalised for torch's `dim=` (None = all axes); `()` means no axis."""
    axes = canonical_axis(axis, x.ndim)
    return None if axes is None else axes


def _empty_axis(axis):
    return isinstance(axis, (tuple, list)) and len(axis) == 0


def _float_dtype(x):
    """The float dtype Keras computes means and variances in for `x`'s dtype."""
    return to_torch_dtype(promote_dtypes(standardize_dtype(x.dtype), float))


def _sum_dtype(x):
    name = standardize_dtype(x.dtype)
    return torch.int32 if name in _SMALL_INTS else x.dtype


@keras_op
def sum(x, axis=None, keepdims=False):  # noqa: A001 - Keras's name
    """Sum of elements over `axis` (all axes when None); bools and small ints sum in int32.

    Args:
        x: the values.
        axis: an axis or tuple of axes to reduce (None: all).
        keepdims: keep reduced axes with size 1.

    Returns:
        The sums (int32 for bools and small ints).

    Example:
        >>> sum([[1, 2], [3, 4]], axis=0).tolist()
        [4, 6]
    """
    x = tensor(x)
    if _empty_axis(axis):
        return x.to(_sum_dtype(x))
    return torch.sum(x, dim=_axes(x, axis), keepdim=keepdims, dtype=_sum_dtype(x))


@keras_op
def prod(x, axis=None, keepdims=False, dtype=None):
    """Product of elements over `axis`; bools and small ints multiply in int32.

    Args:
        x: the values.
        axis: an axis or tuple of axes to reduce (None: all).
        keepdims: keep reduced axes with size 1.
        dtype: the result dtype (default: Keras's rule).

    Returns:
        The products.
    """
    x = tensor(x)
    if dtype is not None:
        out_dtype = to_torch_dtype(dtype)
    else:  # Keras: the input's dtype narrowed to 32 bits; bools and small ints give int32
        name = promote_dtypes(standardize_dtype(x.dtype))
        out_dtype = torch.int32 if name in _SMALL_INTS else to_torch_dtype(name)
    if axis is None:
        result = torch.prod(x.to(out_dtype))
        result = result.reshape((1,) * x.ndim) if keepdims else result
        return result.to(out_dtype)
    result = x.to(out_dtype)
    for a in sorted(canonical_axis(axis, x.ndim), reverse=True):
        result = torch.prod(result, dim=a, keepdim=keepdims)
    return result.to(out_dtype)


@keras_op
def mean(x, axis=None, keepdims=False):
    """Arithmetic mean over `axis`; ints and bools give floats.

    Args:
        x: the values.
        axis: an axis or tuple of axes to reduce (None: all).
        keepdims: keep reduced axes with size 1.

    Returns:
        The means (floatx for ints and bools).
    """
    x = tensor(x)
    if _empty_axis(axis):
        return x
    return torch.mean(x.to(_float_dtype(x)), dim=_axes(x, axis), keepdim=keepdims)


def _extreme(x, axis, keepdims, reduce):
    x = tensor(x)
    if _empty_axis(axis):
        return x
    if x.dtype == torch.bool:
        out = reduce(x.to(torch.uint8), dim=_axes(x, axis), keepdim=keepdims)
        return out.to(torch.bool)
    return reduce(x, dim=_axes(x, axis), keepdim=keepdims)


def _with_initial(result, initial, combine):
    if initial is None:
        return result
    return combine(result, torch.as_tensor(initial, dtype=result.dtype, device=result.device))


@keras_op
def max(x, axis=None, keepdims=False, initial=None):  # noqa: A001 - Keras's name
    """Largest element over `axis`, at least `initial` when given.

    Args:
        x: the values.
        axis: an axis or tuple of axes to reduce (None: all).
        keepdims: keep reduced axes with size 1.
        initial: a lower bound for the result.

    Returns:
        The maxima, in x's dtype.
    """
    result = _extreme(x, axis, keepdims, torch.amax)
    return _with_initial(result, initial, torch.maximum)


@keras_op
def min(x, axis=None, keepdims=False, initial=None):  # noqa: A001 - Keras's name
    """Smallest element over `axis`, at most `initial` when given.

    Args:
        x: the values.
        axis: an axis or tuple of axes to reduce (None: all).
        keepdims: keep reduced axes with size 1.
        initial: an upper bound for the result.

    Returns:
        The minima, in x's dtype.
    """
    result = _extreme(x, axis, keepdims, torch.amin)
    return _with_initial(result, initial, torch.minimum)


@keras_op
def amax(x, axis=None, keepdims=False):
    """Largest element over `axis`."""
    return _extreme(x, axis, keepdims, torch.amax)


@keras_op
def amin(x, axis=None, keepdims=False):
    """Smallest element over `axis`."""
    return _extreme(x, axis, keepdims, torch.amin)


@keras_op
def all(x, axis=None, keepdims=False):  # noqa: A001 - Keras's name
    """Whether every element over `axis` is true (non-zero)."""
    x = tensor(x)
    if _empty_axis(axis):
        return x.to(torch.bool)
    return torch.all(x, dim=_axes(x, axis), keepdim=keepdims)


@keras_op
def any(x, axis=None, keepdims=False):  # noqa: A001 - Keras's name
    """Whether some element over `axis` is true (non-zero)."""
    x = tensor(x)
    if _empty_axis(axis):
        return x.to(torch.bool)
    return torch.any(x, dim=_axes(x, axis), keepdim=keepdims)


@keras_op
def var(x, axis=None, keepdims=False):
    """Variance (population: divided by N, as NumPy) over `axis`, as floats.

    Args:
        x: the values.
        axis: an axis or tuple of axes to reduce (None: all).
        keepdims: keep reduced axes with size 1.

    Returns:
        The variances (floats).
    """
    x = tensor(x)
    x = x.to(_float_dtype(x))
    if _empty_axis(axis):
        return torch.zeros_like(x)
    return torch.var(x, dim=_axes(x, axis), keepdim=keepdims, correction=0)


@keras_op
def std(x, axis=None, keepdims=False):
    """Standard deviation (population) over `axis`, as floats.

    Args:
        x: the values.
        axis: an axis or tuple of axes to reduce (None: all).
        keepdims: keep reduced axes with size 1.

    Returns:
        The standard deviations (floats).
    """
    x = tensor(x)
    x = x.to(_float_dtype(x))
    if _empty_axis(axis):
        return torch.zeros_like(x)
    return torch.std(x, dim=_axes(x, axis), keepdim=keepdims, correction=0)


@keras_op
def ptp(x, axis=None, keepdims=False):
    """Range (max - min) over `axis`."""
    x = tensor(x)
    dims = _axes(x, axis)
    return torch.amax(x, dim=dims, keepdim=keepdims) - torch.amin(x, dim=dims, keepdim=keepdims)


def _arg(x, axis, keepdims, fn):
    x = tensor(x)
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    if axis is None:
        result = fn(x.reshape(-1))
        return (result.reshape((1,) * x.ndim) if keepdims else result).to(torch.int32)
    return fn(x, dim=axis, keepdim=keepdims).to(torch.int32)


@keras_op
def argmax(x, axis=None, keepdims=False):
    """Index of the largest element (over the flattened input when `axis` is None), int32.

    Args:
        x: the values.
        axis: the axis to search (None: the flattened tensor).
        keepdims: keep the reduced axis with size 1.

    Returns:
        int32 indices.
    """
    return _arg(x, axis, keepdims, torch.argmax)


@keras_op
def argmin(x, axis=None, keepdims=False):
    """Index of the smallest element, int32.

    Args:
        x: the values.
        axis: the axis to search (None: the flattened tensor).
        keepdims: keep the reduced axis with size 1.

    Returns:
        int32 indices.
    """
    return _arg(x, axis, keepdims, torch.argmin)


@keras_op
def count_nonzero(x, axis=None):
    """Number of non-zero elements over `axis`, int32."""
    x = tensor(x)
    if _empty_axis(axis):
        return (x != 0).to(torch.int32)
    return torch.count_nonzero(x, dim=_axes(x, axis)).to(torch.int32)


# ------------------------------------------------------------------------------ NaN-ignoring
def _nan_fill(x, value):
    return torch.where(torch.isnan(x), torch.full_like(x, value), x)


@keras_op
def nansum(x, axis=None, keepdims=False):
    """`sum`, treating NaNs as 0."""
    x = tensor(x)
    if x.dtype.is_floating_point:
        x = _nan_fill(x, 0.0)
    return sum.eager(x, axis, keepdims)


@keras_op
def nanprod(x, axis=None, keepdims=False):
    """`prod`, treating NaNs as 1."""
    x = tensor(x)
    if x.dtype.is_floating_point:
        x = _nan_fill(x, 1.0)
    return prod.eager(x, axis, keepdims)


@keras_op
def nanmean(x, axis=None, keepdims=False):
    """`mean` of the non-NaN elements."""
    x = tensor(x)
    return torch.nanmean(x.to(_float_dtype(x)), dim=_axes(x, axis), keepdim=keepdims)


@keras_op
def nanvar(x, axis=None, keepdims=False):
    """`var` of the non-NaN elements."""
    x = tensor(x)
    x = x.to(_float_dtype(x))
    dims = _axes(x, axis)
    valid = ~torch.isnan(x)
    centered = torch.where(valid, x - torch.nanmean(x, dim=dims, keepdim=True), 0.0)
    count = valid.sum(dim=dims, keepdim=keepdims)
    return (centered.square().sum(dim=dims, keepdim=keepdims) / count).to(x.dtype)


@keras_op
def nanstd(x, axis=None, keepdims=False):
    """`std` of the non-NaN elements."""
    return torch.sqrt(nanvar.eager(x, axis, keepdims))


def _nan_extreme(x, axis, keepdims, fill, reduce):
    x = tensor(x)
    if not x.dtype.is_floating_point:
        return reduce(x, dim=_axes(x, axis), keepdim=keepdims)
    dims = _axes(x, axis)
    nan = torch.isnan(x)
    out = reduce(_nan_fill(x, fill), dim=dims, keepdim=keepdims)
    return torch.where(nan.all(dim=dims, keepdim=keepdims), float("nan"), out)


@keras_op
def nanmax(x, axis=None, keepdims=False):
    """`max`, ignoring NaNs (NaN where every element is NaN)."""
    return _nan_extreme(x, axis, keepdims, float("-inf"), torch.amax)


@keras_op
def nanmin(x, axis=None, keepdims=False):
    """`min`, ignoring NaNs (NaN where every element is NaN)."""
    return _nan_extreme(x, axis, keepdims, float("inf"), torch.amin)


def _nan_arg(x, axis, keepdims, fill, fn):
    x = tensor(x)
    if not x.dtype.is_floating_point:
        return _arg(x, axis, keepdims, fn)
    nan = torch.isnan(x)
    index = _arg(_nan_fill(x, fill), axis, keepdims, fn)
    all_nan = nan.all() if axis is None else nan.all(dim=axis, keepdim=keepdims)
    if axis is None and keepdims:
        all_nan = all_nan.reshape(index.shape)
    return torch.where(all_nan, torch.tensor(-1, dtype=torch.int32, device=x.device), index)


@keras_op
def nanargmax(x, axis=None, keepdims=False):
    """`argmax`, ignoring NaNs (-1 where every element is NaN)."""
    return _nan_arg(x, axis, keepdims, float("-inf"), torch.argmax)


@keras_op
def nanargmin(x, axis=None, keepdims=False):
    """`argmin`, ignoring NaNs (-1 where every element is NaN)."""
    return _nan_arg(x, axis, keepdims, float("inf"), torch.argmin)


# ------------------------------------------------------------------------------ cumulative
def _cumulative(x, axis, dtype, fn):
    x = tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    name = standardize_dtype(dtype) if dtype is not None else promote_dtypes(x.dtype)
    if name == "bool":
        name = "int32"
    return fn(x, dim=axis, dtype=to_torch_dtype(name))


@keras_op
def cumsum(x, axis=None, dtype=None):
    """Cumulative sum along `axis` (of the flattened input when None).

    Args:
        x: the values.
        axis: the axis to accumulate along (None: the flattened tensor).
        dtype: the result dtype (default: x's, int32 for bools).

    Returns:
        The running sums.
    """
    return _cumulative(x, axis, dtype, torch.cumsum)


@keras_op
def cumprod(x, axis=None, dtype=None):
    """Cumulative product along `axis` (of the flattened input when None)."""
    return _cumulative(x, axis, dtype, torch.cumprod)


@keras_op
def nancumsum(x, axis=None, dtype=None):
    """`cumsum`, treating NaNs as 0."""
    x = tensor(x)
    return _cumulative(
        _nan_fill(x, 0.0) if x.dtype.is_floating_point else x, axis, dtype, torch.cumsum
    )


@keras_op
def nancumprod(x, axis=None, dtype=None):
    """`cumprod`, treating NaNs as 1."""
    x = tensor(x)
    return _cumulative(
        _nan_fill(x, 1.0) if x.dtype.is_floating_point else x, axis, dtype, torch.cumprod
    )


__all__ = [
    "all",
    "amax",
    "amin",
    "any",
    "argmax",
    "argmin",
    "count_nonzero",
    "cumprod",
    "cumsum",
    "max",
    "mean",
    "min",
    "nanargmax",
    "nanargmin",
    "nancumprod",
    "nancumsum",
    "nanmax",
    "nanmean",
    "nanmin",
    "nanprod",
    "nanstd",
    "nansum",
    "nanvar",
    "prod",
    "ptp",
    "std",
    "sum",
    "var",
]
