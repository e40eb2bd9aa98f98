"""Keras's products, matrix helpers and signal functions in `ops.numpy` on torch: matmul, dot,
tensordot, einsum, kron, cross, diagonals and triangles, trace, slogdet, correlate, vander,
trapezoid, diff.

Products are computed in floats (torch's CPU kernels have no int matmul) and cast back to the
operands' promoted dtype, as in Keras.
"""

from __future__ import annotations

import torch

from strata.backend.conversion import standardize_dtype, to_torch_dtype
from strata.backend.dtypes import promote_dtypes
from strata.ops._symbolic import keras_op
from strata.ops._tensor import dtype_of, floating, promote, tensor


def _product(x1, x2, fn):
    """`fn(a, b)` computed in a float dtype, returned in the operands' result type."""
    dtype = promote_dtypes(dtype_of(x1), dtype_of(x2))
    compute = promote_dtypes(dtype, float)
    a, b = promote(x1, x2, dtype=compute)
    return fn(a, b).to(to_torch_dtype(dtype))


@keras_op
def matmul(x1, x2):
    """Matrix product of `x1` and `x2` (batched over leading axes, vectors as in NumPy).

    Args:
        x1: the first operand.
        x2: the second operand.

    Returns:
        The product, in the operands' promoted dtype.

    Example:
        >>> matmul([[1, 2]], [[3], [4]]).tolist()
        [[11]]
    """
    return _product(x1, x2, torch.matmul)


@keras_op
def dot(x1, x2):
    """NumPy's dot: a scalar times a tensor, vector inner product, or the sum product over the
    last axis of `x1` and the second-to-last of `x2`."""

    def apply(a, b):
        if a.ndim == 0 or b.ndim == 0:
            return a * b
        if b.ndim == 1:
            return torch.matmul(a, b)
        return torch.tensordot(a, b, dims=([a.ndim - 1], [b.ndim - 2]))

    return _product(x1, x2, apply)


@keras_op
def inner(x1, x2):
    """Sum product over the last axes of `x1` and `x2`."""

    def apply(a, b):
        if a.ndim == 0 or b.ndim == 0:
            return a * b
        return torch.tensordot(a, b, dims=([a.ndim - 1], [b.ndim - 1]))

    return _product(x1, x2, apply)


@keras_op
def outer(x1, x2):
    """Outer product of `x1` and `x2` (both flattened)."""
    a, b = promote(x1, x2)
    return torch.outer(a.reshape(-1), b.reshape(-1))


@keras_op
def vdot(x1, x2):
    """Dot product of the flattened `x1` and `x2` (conjugating `x1`)."""
    return _product(x1, x2, lambda a, b: torch.vdot(a.reshape(-1), b.reshape(-1)))


@keras_op
def tensordot(x1, x2, axes=2):
    """Sum product over `axes` (an int: the last/first `axes` axes; or two axis lists)."""
    if isinstance(axes, (list, tuple)):
        first, second = axes
        axes = (
            [first] if isinstance(first, int) else list(first),
            [second] if isinstance(second, int) else list(second),
        )
    return _product(x1, x2, lambda a, b: torch.tensordot(a, b, dims=axes))


@keras_op
def einsum(subscripts, *operands, **kwargs):
    """Einstein summation over `operands` as described by `subscripts` ("ij,jk->ik").

    Args:
        subscripts: the summation, e.g. "ij,jk->ik".
        *operands: the tensors.
        **kwargs: accepted for Keras compatibility.

    Returns:
        The result, in the operands' promoted dtype.
    """
    tensors = promote(*operands)
    dtype = tensors[0].dtype
    compute = to_torch_dtype(promote_dtypes(standardize_dtype(dtype), float))
    out = torch.einsum(subscripts, *(t.to(compute) for t in tensors))
    return out.to(dtype)


@keras_op
def kron(x1, x2):
    """Kronecker product of `x1` and `x2`."""
    a, b = promote(x1, x2)
    return torch.kron(a, b)


@keras_op
def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 3-vectors (2-vectors are extended with a zero z) along the given axes;
    `axis` overrides all three."""
    a, b = promote(x1, x2)
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = torch.moveaxis(a, axisa, -1), torch.moveaxis(b, axisb, -1)
    if a.shape[-1] == 2:
        a = torch.nn.functional.pad(a, (0, 1))
    if b.shape[-1] == 2:
        b = torch.nn.functional.pad(b, (0, 1))
    out = torch.linalg.cross(*torch.broadcast_tensors(a, b), dim=-1)
    return torch.moveaxis(out, -1, axisc)


@keras_op
def diag(x, k=0):
    """The `k`-th diagonal of a 2-D `x`, or a 2-D matrix with the 1-D `x` on it."""
    x = tensor(x)
    if x.ndim not in (1, 2):
        raise ValueError(f"diag expected a 1-D or 2-D tensor; received shape {tuple(x.shape)}.")
    return torch.diag(x, k)


@keras_op
def diagflat(x, k=0):
    """A 2-D matrix with the flattened `x` on its `k`-th diagonal."""
    return torch.diagflat(tensor(x), k)


@keras_op
def diagonal(x, offset=0, axis1=0, axis2=1):
    """The diagonal at `offset` of the planes given by `axis1` and `axis2` (last axis)."""
    return torch.diagonal(tensor(x), offset, axis1, axis2)


@keras_op
def tril(x, k=0):
    """`x` with the elements above the `k`-th diagonal zeroed (last two axes)."""
    return torch.tril(tensor(x), k)


@keras_op
def triu(x, k=0):
    """`x` with the elements below the `k`-th diagonal zeroed (last two axes)."""
    return torch.triu(tensor(x), k)


@keras_op
def trace(x, offset=0, axis1=0, axis2=1):
    """Sum along the diagonal at `offset` of the planes given by `axis1` and `axis2`."""
    x = tensor(x)
    dtype = x.dtype
    if standardize_dtype(dtype) in ("bool", "uint8", "int8", "int16"):
        dtype = torch.int32
    return torch.diagonal(x, offset, axis1, axis2).sum(-1, dtype=dtype)


@keras_op
def slogdet(x):
    """Sign and natural log of the absolute determinant of square matrices: `(sign, logdet)`."""
    sign, logabsdet = torch.linalg.slogdet(floating(tensor(x)))
    return sign, logabsdet


@keras_op
def correlate(x1, x2, mode="valid"):
    """Cross-correlation of two 1-D sequences; `mode` is "valid", "same" or "full"."""
    dtype = promote_dtypes(dtype_of(x1), dtype_of(x2))
    dtype = (
        "float64"
        if dtype == "int64"
        else dtype
        if dtype in ("bfloat16", "float16", "float64")
        else "float32"
    )
    a, b = promote(x1, x2, dtype=dtype)
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(
            f"correlate expected two 1-D tensors; received shapes "
            f"{tuple(a.shape)} and {tuple(b.shape)}."
        )
    if mode not in ("valid", "same", "full"):
        raise ValueError(
            f"correlate expected mode in ('valid', 'same', 'full'); received {mode!r}."
        )
    n, m = a.shape[0], b.shape[0]
    padded = torch.nn.functional.pad(a, (m - 1, m - 1))
    full = torch.nn.functional.conv1d(padded[None, None], b.conj()[None, None])[0, 0]
    if mode == "full":
        return full
    length = max(n, m) if mode == "same" else max(n, m) - min(n, m) + 1
    start = (full.shape[0] - length) // 2 if mode == "same" else min(n, m) - 1
    return full[start : start + length]


@keras_op
def vander(x, N=None, increasing=False):  # noqa: N803 - Keras's name
    """The Vandermonde matrix of the 1-D `x` with `N` columns (powers decreasing unless
    `increasing`)."""
    x = tensor(x)
    return torch.vander(x, N=N, increasing=increasing).to(x.dtype)


@keras_op
def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integral of `y` along `axis` by the trapezoidal rule, at sample points `x` or spacing
    `dx`."""
    y = floating(tensor(y))
    if x is not None:
        return torch.trapezoid(y, tensor(x, device=y.device).to(y.dtype), dim=axis)
    return torch.trapezoid(y, dx=float(dx), dim=axis)


@keras_op
def diff(a, n=1, axis=-1):
    """The `n`-th discrete difference along `axis`."""
    return torch.diff(tensor(a), n=n, dim=axis)


__all__ = [
    "correlate",
    "cross",
    "diag",
    "diagflat",
    "diagonal",
    "diff",
    "dot",
    "einsum",
    "inner",
    "kron",
    "matmul",
    "outer",
    "slogdet",
    "tensordot",
    "trace",
    "trapezoid",
    "tril",
    "triu",
    "vander",
    "vdot",
]
