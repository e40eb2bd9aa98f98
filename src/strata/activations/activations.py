"""Activation functions on torch tensors, with Keras's names, arguments and defaults.

Each function is a plain module-level object, so code can recognise one by identity
(`activation is softmax`); nothing is attached to the tensors it returns.
"""

import torch
import torch.nn.functional as F


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit, with Keras's optional slope, ceiling and threshold.

    The result is `max_value` where `x >= max_value`, `x` where `threshold < x < max_value`,
    and `negative_slope * (x - threshold)` elsewhere.

    Args:
        x: input tensor.
        negative_slope: slope below the threshold.
        max_value: the largest value returned, or None for no ceiling.
        threshold: the input value below which the unit is off.

    Returns:
        A tensor of the same shape and dtype as `x`.

    Example:
        >>> relu(torch.tensor([-1.0, 0.5, 8.0]), max_value=6.0).tolist()
        [0.0, 0.5, 6.0]
    """
    if threshold == 0.0:
        if max_value is None:
            if negative_slope == 0.0:
                return F.relu(x)
            return F.leaky_relu(x, negative_slope)
        if max_value == 6 and negative_slope == 0.0:
            return F.relu6(x)
        positive = F.relu(x)
    else:
        positive = torch.where(x > threshold, x, torch.zeros_like(x))
    if max_value is not None:
        positive = positive.clamp(0.0, max_value)
    if negative_slope != 0.0:
        positive = positive - negative_slope * F.relu(threshold - x)
    return positive


def relu6(x):
    """`min(max(x, 0), 6)`.

    Example:
        >>> relu6(torch.tensor([-1.0, 7.0])).tolist()
        [0.0, 6.0]
    """
    return F.relu6(x)


def leaky_relu(x, negative_slope=0.2):
    """`x` for positive inputs, `negative_slope * x` otherwise.

    Example:
        >>> leaky_relu(torch.tensor([-1.0, 2.0])).tolist()
        [-0.20000000298023224, 2.0]
    """
    return F.leaky_relu(x, negative_slope)


def elu(x, alpha=1.0):
    """Exponential linear unit: `x` if `x > 0`, else `alpha * (exp(x) - 1)`.

    Example:
        >>> elu(torch.tensor([0.0, 1.0])).tolist()
        [0.0, 1.0]
    """
    return F.elu(x, alpha)


def selu(x):
    """Scaled exponential linear unit (self-normalizing; pair with `lecun_normal`).

    Example:
        >>> selu(torch.tensor([0.0])).tolist()
        [0.0]
    """
    return F.selu(x)


def celu(x, alpha=1.0):
    """Continuously differentiable ELU: `max(x, 0) + min(0, alpha * (exp(x / alpha) - 1))`.

    Example:
        >>> celu(torch.tensor([2.0])).tolist()
        [2.0]
    """
    return F.celu(x, alpha)


def gelu(x, approximate=False):
    """Gaussian error linear unit `x * Phi(x)`; `approximate=True` uses the tanh formula.

    Example:
        >>> round(gelu(torch.tensor([1.0])).item(), 4)
        0.8413
    """
    return F.gelu(x, approximate="tanh" if approximate else "none")


def tanh(x):
    """Hyperbolic tangent.

    Example:
        >>> tanh(torch.tensor([0.0])).tolist()
        [0.0]
    """
    return torch.tanh(x)


def sigmoid(x):
    """`1 / (1 + exp(-x))`.

    Example:
        >>> sigmoid(torch.tensor([0.0])).tolist()
        [0.5]
    """
    return torch.sigmoid(x)


def hard_sigmoid(x):
    """Piecewise linear sigmoid: `relu6(x + 3) / 6`.

    Example:
        >>> hard_sigmoid(torch.tensor([-4.0, 0.0, 4.0])).tolist()
        [0.0, 0.5, 1.0]
    """
    return F.hardsigmoid(x)


def hard_silu(x):
    """`x * hard_sigmoid(x)` (also called hard swish).

    Example:
        >>> hard_silu(torch.tensor([-4.0, 4.0])).tolist()
        [-0.0, 4.0]
    """
    return F.hardswish(x)


hard_swish = hard_silu


def silu(x):
    """`x * sigmoid(x)` (also called swish).

    Example:
        >>> silu(torch.tensor([0.0])).tolist()
        [0.0]
    """
    return F.silu(x)


swish = silu


def softmax(x, axis=-1):
    """Normalized exponentials along `axis` (an int or a tuple of ints).

    Example:
        >>> softmax(torch.tensor([[1.0, 1.0]])).tolist()
        [[0.5, 0.5]]
    """
    if isinstance(axis, int):
        return F.softmax(x, dim=axis)
    return torch.exp(x - torch.logsumexp(x, dim=tuple(axis), keepdim=True))


def log_softmax(x, axis=-1):
    """The logarithm of `softmax(x, axis)`, computed stably.

    Example:
        >>> round(log_softmax(torch.tensor([0.0, 0.0]))[0].item(), 4)
        -0.6931
    """
    if isinstance(axis, int):
        return F.log_softmax(x, dim=axis)
    return x - torch.logsumexp(x, dim=tuple(axis), keepdim=True)


def softplus(x):
    """`log(1 + exp(x))`.

    Example:
        >>> round(softplus(torch.tensor([0.0])).item(), 4)
        0.6931
    """
    return F.softplus(x)


def softsign(x):
    """`x / (1 + |x|)`.

    Example:
        >>> softsign(torch.tensor([1.0])).tolist()
        [0.5]
    """
    return F.softsign(x)


def exponential(x):
    """`exp(x)`.

    Example:
        >>> exponential(torch.tensor([0.0])).tolist()
        [1.0]
    """
    return torch.exp(x)


def linear(x):
    """The identity: returns `x` unchanged.

    Example:
        >>> linear(torch.tensor([-3.0])).tolist()
        [-3.0]
    """
    return x


def mish(x):
    """`x * tanh(softplus(x))`.

    Example:
        >>> mish(torch.tensor([0.0])).tolist()
        [0.0]
    """
    return F.mish(x)


def log_sigmoid(x):
    """`log(sigmoid(x))`, computed stably.

    Example:
        >>> round(log_sigmoid(torch.tensor([0.0])).item(), 4)
        -0.6931
    """
    return F.logsigmoid(x)


def hard_tanh(x):
    """`tanh` cut to straight lines: `clip(x, -1, 1)`.

    Example:
        >>> hard_tanh(torch.tensor([-2.0, 0.5])).tolist()
        [-1.0, 0.5]
    """
    return F.hardtanh(x)


def hard_shrink(x, threshold=0.5):
    """`x` where `|x| > threshold`, else 0.

    Example:
        >>> hard_shrink(torch.tensor([0.2, 0.7])).tolist()
        [0.0, 0.699999988079071]
    """
    return F.hardshrink(x, threshold)


def soft_shrink(x, threshold=0.5):
    """`x - threshold` above `threshold`, `x + threshold` below `-threshold`, else 0.

    Example:
        >>> soft_shrink(torch.tensor([0.2, 1.5])).tolist()
        [0.0, 1.0]
    """
    return F.softshrink(x, threshold)


def tanh_shrink(x):
    """`x - tanh(x)`.

    Example:
        >>> tanh_shrink(torch.tensor([0.0])).tolist()
        [0.0]
    """
    return F.tanhshrink(x)


def squareplus(x, b=4):
    """Smooth ReLU `(x + sqrt(x**2 + b)) / 2`.

    Example:
        >>> squareplus(torch.tensor([0.0])).tolist()
        [1.0]
    """
    return 0.5 * (x + torch.sqrt(x * x + b))


def sparse_plus(x):
    """0 for `x <= -1`, `(x + 1)**2 / 4` for `-1 < x < 1`, `x` for `x >= 1`.

    Example:
        >>> sparse_plus(torch.tensor([-2.0, 0.0, 2.0])).tolist()
        [0.0, 0.25, 2.0]
    """
    middle = 0.25 * (x + 1.0) ** 2
    return torch.where(x <= -1.0, torch.zeros_like(x), torch.where(x >= 1.0, x, middle))


def glu(x, axis=-1):
    """Gated linear unit: split `x` in two halves `a, b` along `axis`; `a * sigmoid(b)`.

    Example:
        >>> glu(torch.tensor([[2.0, 0.0]])).tolist()
        [[1.0]]
    """
    if x.shape[axis] % 2:
        raise ValueError(
            f"glu expected an even size along axis {axis}; received shape {tuple(x.shape)}."
        )
    return F.glu(x, dim=axis)


def threshold(x, threshold, default_value):
    """`x` where `x > threshold`, else `default_value`.

    Example:
        >>> threshold(torch.tensor([0.1, 2.0]), 1.0, -1.0).tolist()
        [-1.0, 2.0]
    """
    return F.threshold(x, threshold, default_value)


def sparse_sigmoid(x):
    """Piecewise-linear sigmoid: 0 for `x <= -1`, `(x + 1) / 2` for `-1 < x < 1`, 1 for `x >= 1`.

    Args:
        x: input tensor.

    Returns:
        A tensor like `x`, with values in [0, 1].

    Example:
        >>> sparse_sigmoid(torch.tensor([-2.0, 0.0, 0.5, 2.0])).tolist()
        [0.0, 0.5, 0.75, 1.0]
    """
    return torch.clamp(0.5 * (x + 1.0), 0.0, 1.0)


def sparsemax(x, axis=-1):
    """Euclidean projection of `x` onto the probability simplex along `axis`.

    Like softmax the outputs are non-negative and sum to 1, but small logits get exactly 0:
    `max(x - tau, 0)`, with the threshold `tau` chosen so that the outputs sum to 1
    (Martins & Astudillo, 2016). Keras 3.15 computes `tau` from the sum of the cumulative sums
    over the support, so its outputs sum to 1 only when a single logit is kept; strata follows
    the paper.

    Args:
        x: input tensor (logits).
        axis: the axis the outputs sum to 1 along.

    Returns:
        A tensor like `x`.

    Example:
        >>> sparsemax(torch.tensor([2.0, 1.0, -1.0])).tolist()
        [1.0, 0.0, 0.0]
        >>> [round(v, 4) for v in sparsemax(torch.tensor([0.5, 0.3, -1.0])).tolist()]
        [0.6, 0.4, 0.0]
    """
    ranked, _ = torch.sort(x, dim=axis, descending=True)
    size = x.shape[axis]
    shape = [1] * x.ndim
    shape[axis] = size
    k = torch.arange(1, size + 1, device=x.device, dtype=x.dtype).view(shape)
    cumulative = ranked.cumsum(dim=axis)
    # The support holds the k largest logits, for the largest k with 1 + k * z_(k) > sum_(<=k).
    in_support = 1.0 + k * ranked > cumulative
    support_size = in_support.sum(dim=axis, keepdim=True)
    support_sum = cumulative.gather(axis % x.ndim, support_size - 1)
    tau = (support_sum - 1.0) / support_size.to(x.dtype)
    return torch.clamp(x - tau, min=0.0)
