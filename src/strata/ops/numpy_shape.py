"""Keras's shape-changing `ops.numpy` functions on torch: reshaping, axes, joining, splitting,
tiling, flipping, rolling and padding."""

from __future__ import annotations

import torch

from strata.backend.dtypes import promote_dtypes
from strata.ops._symbolic import keras_op
from strata.ops._tensor import canonical_axis, device_of, dtype_of, tensor


def _joined(xs):
    """A list of tensors of one promoted dtype on one device."""
    target = device_of(*xs)
    dtype = promote_dtypes(*(dtype_of(x) for x in xs)) if xs else None
    return [tensor(x, dtype, target) for x in xs]


def _ints(value):
    if isinstance(value, torch.Tensor):
        return [int(v) for v in value.reshape(-1).tolist()]
    return [int(v) for v in value] if isinstance(value, (list, tuple)) else int(value)


@keras_op
def reshape(x, newshape):
    """`x` with shape `newshape` (one entry may be -1).

    Args:
        x: the tensor.
        newshape: the new shape (an int or a tuple; one entry may be -1).

    Returns:
        A tensor of the new shape (a view when possible).

    Example:
        >>> tuple(reshape([1, 2, 3, 4, 5, 6], (2, -1)).shape)
        (2, 3)
    """
    shape = _ints(newshape)
    return torch.reshape(tensor(x), (shape,) if isinstance(shape, int) else tuple(shape))


@keras_op
def transpose(x, axes=None):
    """`x` with its axes permuted (reversed when `axes` is None).

    Args:
        x: the tensor.
        axes: a permutation of the axes (None: reversed).

    Returns:
        The permuted tensor.
    """
    x = tensor(x)
    return x.permute(*reversed(range(x.ndim))) if axes is None else x.permute(*_ints(axes))


@keras_op
def expand_dims(x, axis):
    """`x` with new axes of size 1 inserted at `axis` (an int or a tuple)."""
    x = tensor(x)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    out_ndim = x.ndim + len(axes)
    for a in sorted(a % out_ndim for a in axes):
        x = x.unsqueeze(a)
    return x


@keras_op
def squeeze(x, axis=None):
    """`x` without its axes of size 1 (only those in `axis` when given)."""
    x = tensor(x)
    if axis is None:
        return x.squeeze()
    axes = canonical_axis(axis, x.ndim)
    for a in axes:
        if x.shape[a] != 1:
            raise ValueError(
                f"squeeze expected axis {a} of size 1; received shape {tuple(x.shape)}."
            )
    return x.squeeze(axes)


@keras_op
def moveaxis(x, source, destination):
    """`x` with axes `source` moved to positions `destination`."""
    return torch.moveaxis(tensor(x), source, destination)


@keras_op
def swapaxes(x, axis1, axis2):
    """`x` with axes `axis1` and `axis2` interchanged."""
    return torch.swapaxes(tensor(x), axis1, axis2)


@keras_op
def broadcast_to(x, shape):
    """`x` broadcast to `shape` (a copy, so it can be written to)."""
    return torch.broadcast_to(tensor(x), tuple(_ints(shape))).clone()


@keras_op
def ravel(x):
    """`x` flattened to one dimension."""
    return tensor(x).reshape(-1)


@keras_op
def concatenate(xs, axis=0):
    """The tensors of `xs` joined along `axis` (flattened first when `axis` is None).

    Args:
        xs: a sequence of tensors (promoted to one dtype).
        axis: the axis to join along (None: flatten first).

    Returns:
        The joined tensor.
    """
    xs = _joined(list(xs))
    if axis is None:
        return torch.cat([x.reshape(-1) for x in xs])
    return torch.cat(xs, dim=axis)


@keras_op
def stack(x, axis=0):
    """The tensors of `x` stacked along a new axis `axis`.

    Args:
        x: a sequence of tensors of one shape.
        axis: the position of the new axis.

    Returns:
        The stacked tensor.
    """
    return torch.stack(_joined(list(x)), dim=axis)


@keras_op
def hstack(xs):
    """The tensors joined column-wise (along axis 1, or 0 for 1-D tensors)."""
    return torch.hstack(_joined(list(xs)))


@keras_op
def vstack(xs):
    """The tensors joined row-wise (1-D tensors become rows)."""
    return torch.vstack(_joined(list(xs)))


@keras_op
def dstack(xs):
    """The tensors joined along the third axis."""
    return torch.dstack(_joined(list(xs)))


@keras_op
def append(x1, x2, axis=None):
    """`x2` appended to `x1` along `axis` (both flattened when None)."""
    return concatenate.eager([x1, x2], axis=axis)


def _split(x, indices_or_sections, axis, even):
    x = tensor(x)
    if isinstance(indices_or_sections, int):
        size = x.shape[axis]
        if even and size % indices_or_sections:
            raise ValueError(
                f"split expected axis {axis} (size {size}) to divide into "
                f"{indices_or_sections} equal sections; it does not."
            )
        return list(torch.tensor_split(x, indices_or_sections, dim=axis))
    return list(torch.tensor_split(x, _ints(indices_or_sections), dim=axis))


@keras_op
def split(x, indices_or_sections, axis=0):
    """`x` split along `axis` into equal sections (an int) or at the given indices.

    Args:
        x: the tensor.
        indices_or_sections: a number of equal sections, or the indices to split at.
        axis: the axis to split.

    Returns:
        A list of tensors.
    """
    return _split(x, indices_or_sections, axis, even=True)


@keras_op
def array_split(x, indices_or_sections, axis=0):
    """Like `split`, but sections may differ in size by one."""
    return _split(x, indices_or_sections, axis, even=False)


@keras_op
def hsplit(x, indices_or_sections):
    """`split` along axis 1 (axis 0 for 1-D tensors)."""
    x = tensor(x)
    return _split(x, indices_or_sections, 1 if x.ndim > 1 else 0, even=True)


@keras_op
def vsplit(x, indices_or_sections):
    """`split` along axis 0."""
    return _split(x, indices_or_sections, 0, even=True)


@keras_op
def dsplit(x, indices_or_sections):
    """`split` along axis 2."""
    return _split(x, indices_or_sections, 2, even=True)


@keras_op
def tile(x, repeats):
    """`x` repeated `repeats` times along each axis."""
    reps = _ints(repeats)
    return torch.tile(tensor(x), (reps,) if isinstance(reps, int) else tuple(reps))


@keras_op
def repeat(x, repeats, axis=None):
    """Each element of `x` repeated `repeats` times (per element when a sequence) along `axis`
    (over the flattened tensor when None)."""
    x = tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    reps = _ints(repeats)
    if isinstance(reps, int):
        return torch.repeat_interleave(x, reps, dim=axis)
    # The output size is known from the repeats, so this also runs on the meta device.
    counts = torch.as_tensor(reps, device=x.device)
    return torch.repeat_interleave(x, counts, dim=axis, output_size=sum(reps))


@keras_op
def flip(x, axis=None):
    """`x` with the order of elements reversed along `axis` (all axes when None)."""
    x = tensor(x)
    dims = tuple(range(x.ndim)) if axis is None else canonical_axis(axis, x.ndim)
    return torch.flip(x, dims)


@keras_op
def fliplr(x):
    """`x` flipped left-right (along axis 1)."""
    return torch.fliplr(tensor(x))


@keras_op
def flipud(x):
    """`x` flipped up-down (along axis 0)."""
    return torch.flipud(tensor(x))


@keras_op
def rot90(array, k=1, axes=(0, 1)):
    """`array` rotated by 90 degrees `k` times in the plane of `axes`."""
    array = tensor(array)
    if array.ndim < 2:
        raise ValueError(
            f"rot90 expected a tensor of rank >= 2; received shape {tuple(array.shape)}."
        )
    return torch.rot90(array, k, tuple(axes))


@keras_op
def roll(x, shift, axis=None):
    """`x` with elements shifted by `shift` along `axis` (over the flattened tensor when
    None), wrapping around."""
    x = tensor(x)
    if axis is None:
        return torch.roll(x.reshape(-1), _ints(shift)).reshape(x.shape)
    return torch.roll(x, _ints(shift), _ints(axis))


def _pad_widths(pad_width, ndim):
    """`pad_width` (an int, a pair, or one pair per axis) as one (before, after) per axis."""
    if isinstance(pad_width, torch.Tensor):
        pad_width = pad_width.tolist()
    if isinstance(pad_width, int):  # the same on every axis (NumPy and Keras's docs)
        return [(pad_width, pad_width)] * ndim
    pad_width = list(pad_width)
    if len(pad_width) == 2 and all(isinstance(p, int) for p in pad_width):
        return [tuple(pad_width)] * ndim
    if len(pad_width) == 1:
        return [tuple(pad_width[0])] * ndim
    if len(pad_width) != ndim:
        raise ValueError(
            f"pad expected one (before, after) pair per axis ({ndim}); received {pad_width!r}."
        )
    return [tuple(p) for p in pad_width]


def _pad_index(size, before, after, mode):
    """For each position of a padded axis, the source position it copies (NumPy's modes)."""
    p = torch.arange(-before, size + after)
    if mode == "edge":
        return p.clamp(0, size - 1)
    if mode == "wrap":
        return p % size
    if mode == "reflect":  # mirrored without repeating the edge element
        period = 2 * (size - 1)
        if period == 0:
            return torch.zeros_like(p)
        m = p % period
        return torch.where(m < size, m, period - m)
    if mode == "symmetric":  # mirrored, repeating the edge element
        period = 2 * size
        m = p % period
        return torch.where(m < size, m, period - 1 - m)
    raise ValueError(
        "pad expected mode in ('constant', 'edge', 'reflect', 'symmetric', 'wrap'); "
        f"received {mode!r}."
    )


@keras_op
def pad(x, pad_width, mode="constant", constant_values=None):
    """`x` padded by `pad_width` per axis; `mode` is "constant" (with `constant_values`, 0 by
    default), "edge", "reflect", "symmetric" or "wrap", as in NumPy.

    Args:
        x: the tensor.
        pad_width: an int, a (before, after) pair, or one pair per axis.
        mode: "constant", "edge", "reflect", "symmetric" or "wrap".
        constant_values: the fill value for mode="constant" (default 0).

    Returns:
        The padded tensor.
    """
    x = tensor(x)
    widths = _pad_widths(pad_width, x.ndim)
    if constant_values is not None and mode != "constant":
        raise ValueError(
            f"pad expected constant_values only with mode='constant'; received mode={mode!r}."
        )
    if mode == "constant":
        flat = [w for before_after in reversed(widths) for w in before_after]
        return torch.nn.functional.pad(x, flat, value=constant_values or 0)
    for axis, (before, after) in enumerate(widths):
        if before or after:
            index = _pad_index(x.shape[axis], before, after, mode).to(x.device)
            x = torch.index_select(x, axis, index)
    return x


__all__ = [
    "append",
    "array_split",
    "broadcast_to",
    "concatenate",
    "dsplit",
    "dstack",
    "expand_dims",
    "flip",
    "fliplr",
    "flipud",
    "hsplit",
    "hstack",
    "moveaxis",
    "pad",
    "ravel",
    "repeat",
    "reshape",
    "roll",
    "rot90",
    "split",
    "squeeze",
    "stack",
    "swapaxes",
    "tile",
    "transpose",
    "vsplit",
    "vstack",
]
