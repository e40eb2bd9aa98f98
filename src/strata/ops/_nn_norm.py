"""Encoding, statistics and normalization ops of `keras.ops.nn`."""

from __future__ import annotations

import math as _math

import torch
import torch.nn.functional as F

from strata.backend.config import epsilon as _epsilon
from strata.backend.config import floatx
from strata.backend.conversion import to_torch_dtype
from strata.ops._symbolic import keras_op
from strata.ops._tensors import axes_tuple, float_tensor, like, tensor

__all__ = [
    "batch_normalization",
    "layer_normalization",
    "moments",
    "multi_hot",
    "normalize",
    "one_hot",
    "polar",
    "psnr",
    "rms_normalization",
]


@keras_op
def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """One-hot encoding of integer labels; negative labels give all-zero rows.

    Args:
        x: integer labels of any shape.
        num_classes: the size of the new axis.
        axis: where the new axis goes.
        dtype: output dtype (default `floatx()`).
        sparse: return a torch sparse COO tensor.

    Returns:
        A tensor of shape `x.shape` with `num_classes` inserted at `axis`.

    Example:
        >>> one_hot([0, 2], 3).tolist()
        [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    labels = tensor(x).long()
    valid = (labels >= 0) & (labels < num_classes)
    encoded = F.one_hot(torch.where(valid, labels, 0), num_classes) * valid.unsqueeze(-1)
    encoded = encoded.to(to_torch_dtype(dtype or floatx()))
    if axis != -1 and axis != encoded.dim() - 1:
        encoded = encoded.movedim(-1, axis)
    return encoded.to_sparse() if sparse else encoded


@keras_op
def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """Multi-hot encoding: a 1 for each class present in a sample (rank-1: one sample).

    Args:
        inputs: integer labels `(batch, k)` or `(k,)`.
        num_classes: number of classes (`num_tokens` is accepted as Keras's legacy name).
        axis: where the class axis goes.
        dtype: output dtype (default `floatx()`).
        sparse: return a torch sparse COO tensor.

    Returns:
        `(batch, num_classes)` (or `(num_classes,)`).

    Example:
        >>> multi_hot([[0, 2], [1, 1]], 3).tolist()
        [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    if num_classes is None:
        num_classes = kwargs.pop("num_tokens", None)
    if kwargs:
        raise ValueError(f"multi_hot got unexpected keyword arguments {sorted(kwargs)}.")
    if num_classes is None:
        raise ValueError("multi_hot expected `num_classes`; received None.")
    labels = tensor(inputs)
    reduce_axis = 1 if labels.dim() > 1 else 0
    encoded = one_hot.eager(labels, num_classes, axis=axis, dtype=dtype).amax(dim=reduce_axis)
    return encoded.to_sparse() if sparse else encoded


def _all_reduce_mean(values, count, synchronized):
    """Means across the processes of a `torch.distributed` job (a no-op without one)."""
    if not (synchronized and torch.distributed.is_available()):
        return values
    if not torch.distributed.is_initialized():
        return values
    stacked = torch.stack([v * count for v in values] + [torch.full_like(values[0], count)])
    torch.distributed.all_reduce(stacked)
    return [s / stacked[-1] for s in stacked[:-1]]


@keras_op
def moments(x, axes, keepdims=False, synchronized=False):
    """Mean and variance of `x` over `axes`.

    Args:
        x: input tensor.
        axes: the axes to reduce (int or list of ints).
        keepdims: keep reduced axes with size 1.
        synchronized: in a `torch.distributed` job, average the statistics over all processes
            (each process contributes its element count); without one it has no effect.

    Returns:
        `(mean, variance)`.

    Example:
        >>> [t.item() for t in moments([1.0, 3.0], axes=0)]
        [2.0, 1.0]
    """
    x = float_tensor(x)
    compute = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x
    dims = axes_tuple(axes, x.dim(), "axes")
    mean = compute.mean(dim=dims, keepdim=True)
    square = compute.square().mean(dim=dims, keepdim=True)
    count = _math.prod(x.shape[d] for d in dims)
    mean, square = _all_reduce_mean([mean, square], count, synchronized)
    variance = (square - mean.square()).clamp(min=0)
    if not keepdims:
        mean, variance = mean.squeeze(dims), variance.squeeze(dims)
    return mean.to(x.dtype), variance.to(x.dtype)


@keras_op
def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """`(x - mean) / sqrt(variance + epsilon) * scale + offset`, statistics along `axis`.

    Args:
        x: input tensor.
        mean, variance: 1-D statistics of size `x.shape[axis]`.
        axis: the feature axis.
        offset, scale: optional 1-D tensors.
        epsilon: added to the variance.

    Returns:
        The normalized tensor.

    Example:
        >>> batch_normalization([[1.0, 2.0]], [1.0, 0.0], [1.0, 4.0], axis=1, epsilon=0).tolist()
        [[0.0, 1.0]]
    """
    x = float_tensor(x)
    shape = [1] * x.dim()
    shape[axis] = x.shape[axis]

    def column(v, default):
        return default if v is None else like(v, x).reshape(shape)

    inv = torch.rsqrt(column(variance, None) + epsilon) * column(scale, 1.0)
    return (x - column(mean, None)) * inv + column(offset, 0.0)


def _is_trailing(axes, ndim):
    return list(axes) == list(range(ndim - len(axes), ndim))


def _compute_dtype(x):
    return torch.float32 if x.dtype in (torch.float16, torch.bfloat16) else x.dtype


@keras_op
def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """Normalize `x` over `axis` to zero mean and unit variance, then `* gamma + beta`.

    Args:
        x: input tensor.
        gamma, beta: optional scale and offset with the shape of the normalized axes.
        axis: int or list of ints.
        epsilon: added to the variance (default `strata.backend.epsilon()`).
        **kwargs: `rms_scaling=True` divides by `sqrt(variance + epsilon)` without centring
            (Keras's legacy option).

    Returns:
        The normalized tensor, with `x`'s dtype.

    Example:
        >>> layer_normalization([[1.0, 3.0]]).round(decimals=3).tolist()
        [[-1.0, 1.0]]
    """
    rms_scaling = kwargs.pop("rms_scaling", False)
    if kwargs:
        raise ValueError(f"layer_normalization got unexpected arguments {sorted(kwargs)}.")
    x = float_tensor(x)
    eps = _epsilon() if epsilon is None else epsilon
    original = x.dtype
    x = x.to(_compute_dtype(x))
    axes = axes_tuple(axis, x.dim())
    normalized_shape = [x.shape[d] for d in axes]
    gamma = None if gamma is None else like(gamma, x)
    beta = None if beta is None else like(beta, x)
    if not rms_scaling and _is_trailing(axes, x.dim()):
        return F.layer_norm(x, normalized_shape, gamma, beta, eps).to(original)
    broadcast = [x.shape[d] if d in axes else 1 for d in range(x.dim())]
    variance = x.var(dim=axes, keepdim=True, unbiased=False)
    if rms_scaling:
        out = x * torch.rsqrt(variance + eps)
    else:
        out = (x - x.mean(dim=axes, keepdim=True)) * torch.rsqrt(variance + eps)
    if gamma is not None:
        out = out * gamma.reshape(broadcast)
    if beta is not None and not rms_scaling:
        out = out + beta.reshape(broadcast)
    return out.to(original)


@keras_op
def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """`x / sqrt(mean(x**2 over axis) + epsilon) * scale`.

    Args:
        x: input tensor.
        scale: optional scale with the shape of the normalized axes.
        axis: int or list of ints.
        epsilon: default `strata.backend.epsilon()`.

    Returns:
        The normalized tensor, with `x`'s dtype.

    Example:
        >>> [round(v, 4) for v in rms_normalization([[3.0, 4.0]], epsilon=0.0)[0].tolist()]
        [0.8485, 1.1314]
    """
    x = float_tensor(x)
    eps = _epsilon() if epsilon is None else epsilon
    original = x.dtype
    x = x.to(_compute_dtype(x))
    axes = axes_tuple(axis, x.dim())
    out = x * torch.rsqrt(x.square().mean(dim=axes, keepdim=True) + eps)
    if scale is not None:
        scale = like(scale, x)
        if scale.dim() > 1 or _is_trailing(axes, x.dim()):
            out = out * scale
        else:
            out = out * scale.reshape([x.shape[d] if d in axes else 1 for d in range(x.dim())])
    return out.to(original)


@keras_op
def normalize(x, axis=-1, order=2, epsilon=None):
    """`x` divided by its `order`-norm along `axis` (norms below `epsilon` count as `epsilon`).

    Args:
        x: input tensor.
        axis: int or tuple of ints.
        order: an integer >= 1.
        epsilon: default `strata.backend.epsilon()`.

    Returns:
        A tensor of `x`'s shape.

    Example:
        >>> normalize([[3.0, 4.0]]).tolist()
        [[0.6000000238418579, 0.800000011920929]]
    """
    if not isinstance(order, int) or isinstance(order, bool) or order < 1:
        raise ValueError(f"normalize expected an integer `order` >= 1; received {order!r}.")
    x = float_tensor(x)
    if x.dim() == 0:
        x = x.reshape(1)
    eps = _epsilon() if epsilon is None else epsilon
    dims = axes_tuple(axis, x.dim())
    if order == 2:
        inv = torch.rsqrt(x.square().sum(dim=dims, keepdim=True)).clamp(max=1.0 / eps)
        return x * inv
    norm = torch.linalg.vector_norm(x, ord=order, dim=dims, keepdim=True)
    return x / norm.clamp(min=eps)


@keras_op
def polar(abs_, angle):
    """The complex number `abs_ * (cos(angle) + i sin(angle))`.

    Example:
        >>> polar(2.0, 0.0)
        tensor(2.+0.j)
    """
    magnitude = float_tensor(abs_)
    angle = like(angle, magnitude)
    return torch.polar(magnitude, angle)


@keras_op
def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio `20 log10(max_val) - 10 log10(mse)`, over all elements.

    Example:
        >>> round(psnr([0.0, 1.0], [0.0, 0.9], 1.0).item(), 3)
        23.01
    """
    x1 = float_tensor(x1)
    x2 = like(x2, x1)
    if x1.shape != x2.shape:
        raise ValueError(
            f"psnr expected inputs of the same shape; received {tuple(x1.shape)} and "
            f"{tuple(x2.shape)}."
        )
    mse = (x1 - x2).square().mean()
    return 20 * torch.log10(like(max_val, x1)) - 10 * torch.log10(mse)
