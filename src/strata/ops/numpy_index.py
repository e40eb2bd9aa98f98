"""Keras's indexing, selection, sorting and set functions in `ops.numpy` on torch."""

from __future__ import annotations

import re

import torch

from strata.backend.dtypes import promote_dtypes
from strata.backend.keras_tensor import KerasTensor
from strata.ops._symbolic import keras_op
from strata.ops._tensor import device_of, dtype_of, promote, tensor


def _indices(indices, size, device):
    """Int64 indices on `device`, negatives counted from the end."""
    index = tensor(indices, device=device).long()
    return torch.where(index < 0, index + size, index)


@keras_op
def take(x, indices, axis=None):
    """Elements of `x` at `indices` along `axis` (of the flattened tensor when None).

    Args:
        x: the tensor.
        indices: int indices (negative ones count from the end).
        axis: the axis to take along (None: the flattened tensor).

    Returns:
        A tensor with the indexed axis replaced by `indices`' shape.

    Example:
        >>> take([[1, 2], [3, 4]], [1, 0], axis=1).tolist()
        [[2, 1], [4, 3]]
    """
    x = tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis = axis % x.ndim
    index = _indices(indices, x.shape[axis], x.device)
    out = torch.index_select(x, axis, index.reshape(-1))
    return out.reshape(x.shape[:axis] + index.shape + x.shape[axis + 1 :])


@keras_op
def take_along_axis(x, indices, axis=None):
    """Values of `x` at `indices` matched along `axis` (of the flattened tensor when None)."""
    x = tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    index = _indices(indices, x.shape[axis], x.device)
    # Broadcast every axis but `axis` (as NumPy does).
    shape = list(
        torch.broadcast_shapes(
            tuple(1 if d == axis % x.ndim else s for d, s in enumerate(x.shape)),
            tuple(1 if d == axis % x.ndim else s for d, s in enumerate(index.shape)),
        )
    )
    x_shape, i_shape = list(shape), list(shape)
    x_shape[axis], i_shape[axis] = x.shape[axis], index.shape[axis]
    return torch.gather(x.expand(x_shape), axis, index.expand(i_shape))


@keras_op
def get_item(x, key):
    """`x[key]` (the functional form of indexing)."""
    x = tensor(x)
    if isinstance(key, list):
        key = tensor(key, device=x.device)
    return x[key]


@keras_op
def where(condition, x1=None, x2=None):
    """Elements of `x1` where `condition` holds, else of `x2`; with only `condition`, the
    indices where it holds as one int64 tensor of shape `(condition.ndim, count)` (what
    Keras's torch backend returns).

    Args:
        condition: a bool tensor (other dtypes are tested against zero).
        x1: values where the condition holds.
        x2: values where it does not.

    Returns:
        The selected values (or the index rows when only `condition` is given).
    """
    target = device_of(condition, x1, x2)
    condition = tensor(condition, device=target).to(torch.bool)
    if x1 is None and x2 is None:
        return torch.stack(torch.where(condition))
    if x1 is None or x2 is None:
        raise ValueError("where expected both x1 and x2, or neither; received only one.")
    a, b = promote(x1, x2)
    return torch.where(condition, a.to(condition.device), b.to(condition.device))


@keras_op
def select(condlist, choicelist, default=0):
    """For each element, the value of the first choice whose condition holds, else
    `default`."""
    if len(condlist) != len(choicelist):
        raise ValueError(
            f"select expected as many conditions as choices; received "
            f"{len(condlist)} and {len(choicelist)}."
        )
    choices = promote(*choicelist, default)
    out = choices[-1]
    for condition, choice in zip(reversed(condlist), reversed(choices[:-1])):
        out = torch.where(tensor(condition, device=out.device).to(torch.bool), choice, out)
    return out


@keras_op
def clip(x, x_min, x_max):
    """`x` limited to `[x_min, x_max]` (bools become int32).

    Args:
        x: the values.
        x_min: the lower bound.
        x_max: the upper bound.

    Returns:
        The clipped values (promoted with the bounds' dtypes).
    """
    x = tensor(x)
    if x.dtype == torch.bool:
        x = x.int()
    dtype = promote_dtypes(dtype_of(x), dtype_of(x_min), dtype_of(x_max))
    x, low, high = promote(x, x_min, x_max, dtype=dtype)
    return torch.clamp(x, low, high)


@keras_op
def sort(x, axis=-1):
    """`x` sorted along `axis` (the flattened tensor when None)."""
    x = tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.sort(x, dim=axis).values


@keras_op
def argsort(x, axis=-1):
    """Indices that sort `x` along `axis` (stable), int32."""
    x = tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    return torch.argsort(x, dim=axis, stable=True).to(torch.int32)


@keras_op
def argpartition(x, kth, axis=-1):
    """Indices that partition `x` around its `kth` smallest element along `axis` (here: a
    full stable sort, which is a valid partition), int32."""
    return argsort.eager(x, axis)


@keras_op
def searchsorted(sorted_sequence, values, side="left"):
    """Indices where `values` would be inserted into the 1-D `sorted_sequence`, int32."""
    sequence = tensor(sorted_sequence)
    if sequence.ndim != 1:
        raise ValueError(
            f"searchsorted expected a 1-D sorted_sequence; received shape {tuple(sequence.shape)}."
        )
    seq, vals = promote(sequence, values)
    return torch.searchsorted(seq, vals, side=side, out_int32=True)


@keras_op
def digitize(x, bins):
    """Index of the bin each element of `x` falls in (bins increasing), int32."""
    x, bins = promote(x, bins)
    if x.dtype == torch.bool:
        x, bins = x.to(torch.uint8), bins.to(torch.uint8)
    return torch.bucketize(x, bins, right=True).to(torch.int32)


@keras_op
def nonzero(x):
    """Indices of the non-zero elements, one row per axis: an int32 tensor of shape
    `(x.ndim, count)` (Keras's torch backend; `nonzero(x)[0]` indexes like NumPy's tuple)."""
    return torch.nonzero(tensor(x)).T.to(torch.int32)


@keras_op
def unique(
    x,
    sorted=True,
    return_index=False,
    return_inverse=False,  # noqa: A002
    return_counts=False,
    axis=None,
    size=None,
    fill_value=None,
):
    """The sorted unique values of `x` (along `axis`), optionally with first indices, the
    inverse mapping and counts; `size` pads (with `fill_value`, default the first value) or
    truncates the result to a fixed length.

    Args:
        x: the values.
        sorted: accepted for Keras compatibility (values are always sorted).
        return_index: also return the index of each value's first occurrence.
        return_inverse: also return, for each element, the index of its unique value.
        return_counts: also return how often each value occurs.
        axis: find unique slices along this axis (None: unique elements of the flattened x).
        size: pad or cut the results to this length.
        fill_value: the padding value (default: the first unique value).

    Returns:
        The unique values, or a tuple with the requested extras.
    """
    x = tensor(x)
    flat = x.reshape(-1) if axis is None else x
    values, inverse, counts = torch.unique(
        flat, sorted=True, return_inverse=True, return_counts=True, dim=axis
    )
    if size is not None:  # a fixed length: padded with fill_value (counts with 0), or cut
        values, counts = _fit(values, size, fill_value), _fit(counts, size, 0)
    outputs = [values]
    if return_index:
        positions = torch.arange(inverse.numel(), device=x.device)
        first = torch.full((int(inverse.max()) + 1,), inverse.numel(), device=x.device)
        first = first.scatter_reduce(0, inverse.reshape(-1), positions, "amin")
        outputs.append(first if size is None else _fit(first, size, 0))
    if return_inverse:
        outputs.append(inverse.reshape(x.shape) if axis is None else inverse)
    if return_counts:
        outputs.append(counts)
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


def _fit(values, size, fill_value):
    if values.shape[0] >= size:
        return values[:size]
    fill = values[:1] if fill_value is None else torch.full_like(values[:1], fill_value)
    return torch.cat([values, fill.expand((size - values.shape[0],) + values.shape[1:])])


@keras_op
def isin(x1, x2, assume_unique=False, invert=False):
    """Whether each element of `x1` is in `x2`."""
    a, b = promote(x1, x2)
    if a.dtype == torch.bool:
        a, b = a.int(), b.int()
    return torch.isin(a, b, assume_unique=assume_unique, invert=invert)


@keras_op
def unravel_index(indices, shape):
    """Flat `indices` as a tuple of coordinate tensors for an array of `shape`."""
    index = tensor(indices)
    coords = torch.unravel_index(index.long(), tuple(int(s) for s in shape))
    return tuple(c.to(index.dtype) for c in coords)


@keras_op
def meshgrid(*x, indexing="xy"):
    """Coordinate matrices from 1-D coordinate vectors ("xy": Cartesian, "ij": matrix)."""
    target = device_of(*x)
    return list(torch.meshgrid(*(tensor(v, device=target) for v in x), indexing=indexing))


def ndim(x):
    """The number of axes of `x` (a Python int, for symbolic tensors too)."""
    if isinstance(x, KerasTensor):
        return len(x.shape)
    return tensor(x).ndim


@keras_op
def size(x):
    """The number of elements of `x` (a 0-d int64 tensor, as Keras's torch backend gives)."""
    x = tensor(x)
    return torch.tensor(x.numel(), dtype=torch.int64, device=x.device)


def vectorize(pyfunc, *, excluded=None, signature=None):
    """`pyfunc` (a function of tensors) mapped element-wise over its tensor arguments.

    Runs on `torch.vmap`; `signature` (NumPy's generalized ufunc form, e.g. "(n),(n)->()")
    says how many trailing axes each argument keeps as a core.
    """
    excluded = set(excluded or ())
    ins, _ = _parse_signature(signature)

    def vectorized(*args, **kwargs):
        tensors = [tensor(a) if i not in excluded else a for i, a in enumerate(args)]
        core = ins or [()] * len(tensors)
        batch_shape = torch.broadcast_shapes(
            *(
                t.shape[: t.ndim - len(c)]
                for t, c in zip(tensors, core)
                if isinstance(t, torch.Tensor)
            )
        )
        func = pyfunc
        expanded = [
            t.expand(batch_shape + t.shape[t.ndim - len(c) :]) if isinstance(t, torch.Tensor) else t
            for t, c in zip(tensors, core)
        ]
        in_dims = tuple(0 if isinstance(t, torch.Tensor) else None for t in expanded)
        for _ in range(len(batch_shape)):
            func = torch.vmap(func, in_dims=in_dims)
        return func(*expanded, **kwargs)

    return vectorized


def _parse_signature(signature):
    """NumPy's gufunc signature "(m,n),(n)->(m)" as lists of core-axis names per argument."""
    if signature is None:
        return None, None
    inputs, outputs = signature.replace(" ", "").split("->")

    def parse(part):
        return [tuple(g.split(",")) if g else () for g in re.findall(r"\(([^)]*)\)", part)]

    return parse(inputs), parse(outputs)


__all__ = [
    "argpartition",
    "argsort",
    "clip",
    "digitize",
    "get_item",
    "isin",
    "meshgrid",
    "ndim",
    "nonzero",
    "searchsorted",
    "select",
    "size",
    "sort",
    "take",
    "take_along_axis",
    "unique",
    "unravel_index",
    "vectorize",
    "where",
]
