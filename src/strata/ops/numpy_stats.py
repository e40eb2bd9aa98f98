"""Keras's statistics in `ops.numpy` on torch: quantiles, percentiles and medians (with their
NaN-ignoring variants), weighted averages, correlation coefficients, histograms and bin counts.

Quantiles of ints are floats (floatx), as in Keras.
"""

from __future__ import annotations

import builtins

import torch

from strata.backend.conversion import standardize_dtype, to_torch_dtype
from strata.backend.dtypes import promote_dtypes
from strata.ops._symbolic import keras_op
from strata.ops._tensor import canonical_axis, dtype_of, floating, tensor
from strata.ops.numpy_reduce import _axes


# ------------------------------------------------------------------------------ quantiles
def _quantile(x, q, axis, method, keepdims, fn):
    x = tensor(x)
    result_dtype = to_torch_dtype(promote_dtypes(standardize_dtype(x.dtype), float))
    compute = x.to(to_torch_dtype(promote_dtypes(standardize_dtype(x.dtype), "float32")))
    q = tensor(q, device=compute.device).to(compute.dtype)
    if axis is None:
        flat = compute.reshape(-1)
        out = fn(flat, q, dim=-1, interpolation=method)
        if keepdims:
            out = out.reshape(out.shape + (1,) * x.ndim)
        return out.to(result_dtype)
    axes = canonical_axis(axis, x.ndim)
    others = [d for d in range(x.ndim) if d not in axes]
    moved = compute.permute(others + list(axes))
    moved = moved.reshape([x.shape[d] for d in others] + [-1])
    out = fn(moved, q, dim=-1, interpolation=method)
    if keepdims:
        for a in sorted(axes):
            out = out.unsqueeze(a + (1 if q.ndim else 0))
    return out.to(result_dtype)


@keras_op
def quantile(x, q, axis=None, method="linear", keepdims=False):
    """The `q`-th quantiles (q in [0, 1]) over `axis`; `method` as in NumPy (linear, lower,
    higher, midpoint, nearest).

    Args:
        x: the values.
        q: a quantile or a tensor of them, in [0, 1].
        axis: an axis or tuple of axes to reduce (None: all).
        method: "linear", "lower", "higher", "midpoint" or "nearest".
        keepdims: keep reduced axes with size 1.

    Returns:
        The quantiles (floats); a leading axis per q when q is a tensor.
    """
    return _quantile(x, q, axis, method, keepdims, torch.quantile)


@keras_op
def percentile(x, q, axis=None, method="linear", keepdims=False):
    """The `q`-th percentiles (q in [0, 100]) over `axis`."""
    q = tensor(q) / 100.0 if not isinstance(q, (int, float)) else q / 100.0
    return _quantile(x, q, axis, method, keepdims, torch.quantile)


@keras_op
def median(x, axis=None, keepdims=False):
    """Median over `axis` (the mean of the two middle values for even counts), as floats."""
    return _quantile(x, 0.5, axis, "linear", keepdims, torch.quantile)


@keras_op
def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    """`quantile`, ignoring NaNs."""
    return _quantile(x, q, axis, method, keepdims, torch.nanquantile)


@keras_op
def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    """`percentile`, ignoring NaNs."""
    q = tensor(q) / 100.0 if not isinstance(q, (int, float)) else q / 100.0
    return _quantile(x, q, axis, method, keepdims, torch.nanquantile)


@keras_op
def nanmedian(x, axis=None, keepdims=False):
    """`median`, ignoring NaNs."""
    return _quantile(x, 0.5, axis, "linear", keepdims, torch.nanquantile)


# ------------------------------------------------------------------------------ statistics
@keras_op
def average(x, axis=None, weights=None):
    """Weighted mean over `axis` (`weights` along that axis, or shaped like `x`)."""
    x = tensor(x)
    dtypes = [dtype_of(x), float] + ([dtype_of(weights)] if weights is not None else [])
    dtype = to_torch_dtype(promote_dtypes(*dtypes))
    x = x.to(dtype)
    if weights is None:
        return torch.mean(x, dim=_axes(x, axis))
    weights = tensor(weights, device=x.device).to(dtype)
    if weights.ndim == 1 and x.ndim > 1 and axis is not None:
        shape = [1] * x.ndim
        shape[axis] = -1
        weights = weights.reshape(shape)
    dims = _axes(x, axis)
    weights = torch.broadcast_to(weights, x.shape)
    return torch.sum(x * weights, dim=dims) / torch.sum(weights, dim=dims)


@keras_op
def corrcoef(x):
    """Pearson correlation coefficients of the rows of `x` (variables in rows)."""
    x = floating(tensor(x))
    x = x.reshape(1, -1) if x.ndim == 1 else x
    centered = x - x.mean(dim=1, keepdim=True)
    covariance = centered @ centered.T.conj()
    scale = torch.sqrt(torch.diagonal(covariance).real)
    # Written out (not torch.corrcoef) so it also runs on the meta device.
    return torch.clamp(covariance / scale[:, None] / scale[None, :], -1, 1)


@keras_op
def histogram(x, bins=10, range=None):  # noqa: A002 - Keras's name
    """Counts of `x` in `bins` equal bins over `range` (default: x's min and max); returns
    `(counts, bin_edges)`."""
    x = floating(tensor(x)).reshape(-1)
    low, high = range if range is not None else (x.min().item(), x.max().item())
    edges = torch.linspace(low, high, bins + 1, dtype=x.dtype, device=x.device)
    inside = (x >= low) & (x <= high)
    index = torch.clamp(((x - low) / (high - low) * bins).floor().long(), 0, bins - 1)
    counts = torch.zeros(bins, dtype=x.dtype, device=x.device)
    counts = counts.index_add(0, index[inside], torch.ones_like(x[inside]))
    return counts, edges


@keras_op
def bincount(x, weights=None, minlength=0, sparse=False):
    """Occurrences of each non-negative int in `x` (weighted sums when `weights` is given);
    for a 2-D `x`, one count per row."""
    if sparse:
        raise ValueError("bincount expected sparse=False; strata has no sparse tensors.")
    x = tensor(x).long()
    dtype = torch.int32
    if weights is not None:
        weights = tensor(weights, device=x.device)
        dtype = to_torch_dtype(promote_dtypes(dtype_of(weights)))
        weights = weights.to(torch.float64)
    length = builtins.max(int(x.max().item()) + 1 if x.numel() else 0, minlength)
    if x.ndim == 2:
        rows = [
            torch.bincount(r, None if weights is None else w, length)
            for r, w in zip(x, weights if weights is not None else [None] * len(x))
        ]
        return torch.stack(rows).to(dtype)
    return torch.bincount(x, weights, length).to(dtype)


__all__ = [
    "average",
    "bincount",
    "corrcoef",
    "histogram",
    "median",
    "nanmedian",
    "nanpercentile",
    "nanquantile",
    "percentile",
    "quantile",
]
