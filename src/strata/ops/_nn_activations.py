"""Activation ops of `keras.ops.nn`: the maths lives in `strata.activations`; these wrap it as
ops (any array-like input, symbolic tensors) with Keras's ops signatures (which differ from the
activation functions': `ops.relu(x)` takes no slope, `ops.gelu` is approximate by default).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from strata.activations import activations as _act
from strata.ops._symbolic import keras_op
from strata.ops._tensors import float_tensor

__all__ = [
    "celu",
    "elu",
    "gelu",
    "glu",
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "leaky_relu",
    "log_sigmoid",
    "log_softmax",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "soft_shrink",
    "softmax",
    "softplus",
    "softsign",
    "sparse_plus",
    "sparse_sigmoid",
    "sparsemax",
    "squareplus",
    "swish",
    "tanh_shrink",
    "threshold",
]


@keras_op
def relu(x):
    """`max(x, 0)`.

    Example:
        >>> relu([-1.0, 2.0]).tolist()
        [0.0, 2.0]
    """
    return F.relu(float_tensor(x))


@keras_op
def relu6(x):
    """`min(max(x, 0), 6)`.

    Example:
        >>> relu6([-1.0, 7.0]).tolist()
        [0.0, 6.0]
    """
    return _act.relu6(float_tensor(x))


@keras_op
def sigmoid(x):
    """`1 / (1 + exp(-x))`.

    Example:
        >>> sigmoid([0.0]).tolist()
        [0.5]
    """
    return _act.sigmoid(float_tensor(x))


@keras_op
def sparse_sigmoid(x):
    """Piecewise linear sigmoid: 0 below -1, 1 above 1, `(x + 1) / 2` between.

    Example:
        >>> sparse_sigmoid([-2.0, 0.0, 2.0]).tolist()
        [0.0, 0.5, 1.0]
    """
    return ((float_tensor(x) + 1.0) * 0.5).clamp(0.0, 1.0)


@keras_op
def softplus(x):
    """`log(1 + exp(x))`.

    Example:
        >>> round(softplus([0.0]).item(), 4)
        0.6931
    """
    return _act.softplus(float_tensor(x))


@keras_op
def softsign(x):
    """`x / (1 + |x|)`.

    Example:
        >>> softsign([1.0]).tolist()
        [0.5]
    """
    return _act.softsign(float_tensor(x))


@keras_op
def soft_shrink(x, threshold=0.5):
    """`x - threshold` above `threshold`, `x + threshold` below `-threshold`, else 0.

    Example:
        >>> soft_shrink([0.2, 1.5]).tolist()
        [0.0, 1.0]
    """
    return _act.soft_shrink(float_tensor(x), threshold)


@keras_op
def sparse_plus(x):
    """0 for `x <= -1`, `(x + 1)**2 / 4` for `-1 < x < 1`, `x` for `x >= 1`.

    Example:
        >>> sparse_plus([-2.0, 0.0, 2.0]).tolist()
        [0.0, 0.25, 2.0]
    """
    return _act.sparse_plus(float_tensor(x))


@keras_op
def silu(x):
    """`x * sigmoid(x)`.

    Example:
        >>> silu([0.0]).tolist()
        [0.0]
    """
    return _act.silu(float_tensor(x))


@keras_op
def swish(x):
    """The same as `silu`.

    Example:
        >>> swish([0.0]).tolist()
        [0.0]
    """
    return _act.silu(float_tensor(x))


@keras_op
def squareplus(x, b=4):
    """`(x + sqrt(x**2 + b)) / 2`.

    Example:
        >>> squareplus([0.0]).tolist()
        [1.0]
    """
    return _act.squareplus(float_tensor(x), b)


@keras_op
def log_sigmoid(x):
    """`log(sigmoid(x))`, computed stably.

    Example:
        >>> round(log_sigmoid([0.0]).item(), 4)
        -0.6931
    """
    return _act.log_sigmoid(float_tensor(x))


@keras_op
def leaky_relu(x, negative_slope=0.2):
    """`x` for positive inputs, `negative_slope * x` otherwise.

    Example:
        >>> leaky_relu([-1.0, 2.0], negative_slope=0.5).tolist()
        [-0.5, 2.0]
    """
    return _act.leaky_relu(float_tensor(x), negative_slope)


@keras_op
def hard_sigmoid(x):
    """`relu6(x + 3) / 6`.

    Example:
        >>> hard_sigmoid([-4.0, 0.0, 4.0]).tolist()
        [0.0, 0.5, 1.0]
    """
    return _act.hard_sigmoid(float_tensor(x))


@keras_op
def hard_silu(x):
    """`x * hard_sigmoid(x)`.

    Example:
        >>> hard_silu([-4.0, 4.0]).tolist()
        [-0.0, 4.0]
    """
    return _act.hard_silu(float_tensor(x))


@keras_op
def hard_swish(x):
    """The same as `hard_silu`.

    Example:
        >>> hard_swish([4.0]).tolist()
        [4.0]
    """
    return _act.hard_silu(float_tensor(x))


@keras_op
def elu(x, alpha=1.0):
    """`x` if `x > 0`, else `alpha * (exp(x) - 1)`.

    Example:
        >>> elu([0.0, 1.0]).tolist()
        [0.0, 1.0]
    """
    return _act.elu(float_tensor(x), alpha)


@keras_op
def selu(x):
    """Scaled exponential linear unit.

    Example:
        >>> selu([0.0]).tolist()
        [0.0]
    """
    return _act.selu(float_tensor(x))


@keras_op
def gelu(x, approximate=True):
    """Gaussian error linear unit; Keras's op defaults to the tanh approximation.

    Example:
        >>> round(gelu([1.0], approximate=False).item(), 4)
        0.8413
    """
    return _act.gelu(float_tensor(x), approximate=approximate)


@keras_op
def celu(x, alpha=1.0):
    """`max(x, 0) + min(0, alpha * (exp(x / alpha) - 1))`.

    Example:
        >>> celu([2.0]).tolist()
        [2.0]
    """
    return _act.celu(float_tensor(x), alpha)


@keras_op
def glu(x, axis=-1):
    """Gated linear unit: halves `a, b` of `x` along `axis` give `a * sigmoid(b)`.

    Example:
        >>> glu([[2.0, 0.0]]).tolist()
        [[1.0]]
    """
    return _act.glu(float_tensor(x), axis)


@keras_op
def hard_tanh(x):
    """`clip(x, -1, 1)`.

    Example:
        >>> hard_tanh([-2.0, 0.5]).tolist()
        [-1.0, 0.5]
    """
    return _act.hard_tanh(float_tensor(x))


@keras_op
def hard_shrink(x, threshold=0.5):
    """`x` where `|x| > threshold`, else 0.

    Example:
        >>> hard_shrink([0.25, 0.75]).tolist()
        [0.0, 0.75]
    """
    return _act.hard_shrink(float_tensor(x), threshold)


@keras_op
def tanh_shrink(x):
    """`x - tanh(x)`.

    Example:
        >>> tanh_shrink([0.0]).tolist()
        [0.0]
    """
    return _act.tanh_shrink(float_tensor(x))


@keras_op
def threshold(x, threshold, default_value):
    """`x` where `x > threshold`, else `default_value`.

    Example:
        >>> threshold([0.5, 2.0], 1.0, -1.0).tolist()
        [-1.0, 2.0]
    """
    return _act.threshold(float_tensor(x), threshold, default_value)


def _over_axis(function, x, axis):
    """Apply a normalization along `axis`: an int, a tuple of ints, or None for all."""
    if axis is None:
        return function(x.reshape(-1), -1).reshape(x.shape)
    if isinstance(axis, int):
        return function(x, axis)
    axes = sorted(a % x.dim() for a in axis)
    # Bring the axes to the end, flatten them into one, normalize, and undo.
    rest = [d for d in range(x.dim()) if d not in axes]
    moved = x.permute(*rest, *axes)
    flat = moved.reshape(*moved.shape[: len(rest)], -1)
    out = function(flat, -1).reshape(moved.shape)
    inverse = [0] * x.dim()
    for i, d in enumerate(rest + axes):
        inverse[d] = i
    return out.permute(*inverse)


@keras_op
def softmax(x, axis=-1):
    """Normalized exponentials along `axis` (an int, a tuple of ints, or None for all).

    Example:
        >>> softmax([[1.0, 1.0]]).tolist()
        [[0.5, 0.5]]
    """
    return _over_axis(lambda t, a: F.softmax(t, dim=a), float_tensor(x), axis)


@keras_op
def log_softmax(x, axis=-1):
    """`log(softmax(x, axis))`, computed stably.

    Example:
        >>> round(log_softmax([0.0, 0.0])[0].item(), 4)
        -0.6931
    """
    return _over_axis(lambda t, a: F.log_softmax(t, dim=a), float_tensor(x), axis)


@keras_op
def sparsemax(x, axis=-1):
    """Euclidean projection of `x` on the probability simplex along `axis` (sparse outputs).

    Example:
        >>> sparsemax([1.0, 0.0, -1.0]).tolist()
        [1.0, 0.0, 0.0]
    """
    x = float_tensor(x)
    ordered = torch.sort(x, dim=axis, descending=True).values
    cumulative = ordered.cumsum(dim=axis)
    shape = [1] * x.dim()
    shape[axis] = -1
    ranks = torch.arange(1, x.shape[axis] + 1, dtype=x.dtype, device=x.device).reshape(shape)
    # The support is the largest k with 1 + k * z_(k) > sum_{j<=k} z_(j).
    support = (1 + ranks * ordered) > cumulative
    k = support.sum(dim=axis, keepdim=True)
    tau = (cumulative.gather(axis, k - 1) - 1) / k.to(x.dtype)
    return torch.clamp(x - tau, min=0.0)
