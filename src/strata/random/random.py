"""Random draws with Keras's signatures (`keras.random`), on torch generators.

`seed` is an integer (the same values at every call), a `SeedGenerator` (new values at every
call, reproducible from its seed) or None (torch's global generator). Tensors are made on
`strata.backend.device()` with `dtype` (default `floatx()`, integers default to int32).
"""

from __future__ import annotations

import math

import torch

from strata.backend.config import floatx
from strata.backend.config import tensor_device as _device
from strata.backend.conversion import to_torch_dtype
from strata.random.seed_generator import generator_for

__all__ = [
    "beta",
    "binomial",
    "categorical",
    "dropout",
    "gamma",
    "normal",
    "randint",
    "shuffle",
    "truncated_normal",
    "uniform",
]


def _on_device(value):
    """A tensor stays where it is; anything else goes to the model device."""
    if isinstance(value, torch.Tensor):
        return value
    return torch.as_tensor(value, device=_device())


def _shape(shape, who):
    if isinstance(shape, int):
        return (shape,)
    try:
        shape = tuple(int(d) for d in shape)
    except (TypeError, ValueError):
        raise ValueError(f"{who} expected a shape (tuple of ints); received {shape!r}.") from None
    if any(d < 0 for d in shape):
        raise ValueError(f"{who} expected non-negative dimensions; received {shape!r}.")
    return shape


def _float_dtype(dtype, who):
    dtype = to_torch_dtype(dtype or floatx())
    if not dtype.is_floating_point:
        raise ValueError(f"{who} expected a float dtype; received {dtype}.")
    return dtype


def _param(value, dtype, device):
    return torch.as_tensor(value, dtype=dtype, device=device)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normally distributed values.

    Example:
        >>> normal((2, 3), seed=1).shape
        torch.Size([2, 3])
    """
    dtype, device = _float_dtype(dtype, "normal"), _device()
    values = torch.randn(
        _shape(shape, "normal"), generator=generator_for(seed, device), dtype=dtype, device=device
    )
    return values * _param(stddev, dtype, device) + _param(mean, dtype, device)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Uniformly distributed values in `[minval, maxval)` (float dtypes; see `randint`).

    Example:
        >>> bool((uniform((5,), 2.0, 3.0, seed=1) >= 2.0).all())
        True
    """
    dtype, device = _float_dtype(dtype, "uniform"), _device()
    values = torch.rand(
        _shape(shape, "uniform"), generator=generator_for(seed, device), dtype=dtype, device=device
    )
    low, high = _param(minval, dtype, device), _param(maxval, dtype, device)
    return low + values * (high - low)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal values cut to `mean +- 2 stddev` (drawn by inverting the normal CDF).

    Example:
        >>> bool((truncated_normal((100,), seed=1).abs() <= 2.0).all())
        True
    """
    dtype, device = _float_dtype(dtype, "truncated_normal"), _device()
    shape = _shape(shape, "truncated_normal")
    # Uniform on [Phi(-2), Phi(2)] through Phi^-1, computed in float64 for the tails.
    low = 0.5 * (1 + math.erf(-2 / math.sqrt(2)))
    u = torch.rand(shape, generator=generator_for(seed, device), dtype=torch.float64, device=device)
    u = low + u * (1 - 2 * low)
    z = (math.sqrt(2) * torch.erfinv(2 * u - 1)).clamp(-2.0, 2.0).to(dtype)
    return z * _param(stddev, dtype, device) + _param(mean, dtype, device)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Uniform integers in `[minval, maxval)`.

    Example:
        >>> sorted(set(randint((50,), 0, 3, seed=1).tolist()))
        [0, 1, 2]
    """
    dtype, device = to_torch_dtype(dtype), _device()
    if dtype.is_floating_point or dtype == torch.bool:
        raise ValueError(f"randint expected an integer dtype; received {dtype}.")
    return torch.randint(
        int(minval),
        int(maxval),
        _shape(shape, "randint"),
        generator=generator_for(seed, device),
        dtype=dtype,
        device=device,
    )


def categorical(logits, num_samples, dtype="int32", seed=None):
    """Class indices drawn from each row of unnormalized log-probabilities.

    Args:
        logits: `(batch, num_classes)`.
        num_samples: draws per row (with replacement).
        dtype: integer dtype of the result.
        seed: see the module docstring.

    Returns:
        `(batch, num_samples)` class indices.

    Example:
        >>> categorical([[0.0, -1e9]], 3, seed=1).tolist()
        [[0, 0, 0]]
    """
    logits = _on_device(logits)
    device = logits.device
    if logits.dim() != 2:
        raise ValueError(
            f"categorical expected logits of shape (batch, num_classes); received "
            f"{tuple(logits.shape)}."
        )
    probabilities = torch.softmax(logits.double(), dim=-1)
    draws = torch.multinomial(
        probabilities, int(num_samples), replacement=True, generator=generator_for(seed, device)
    )
    return draws.to(to_torch_dtype(dtype))


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zero each value with probability `rate`; scale the kept ones by `1 / (1 - rate)`.

    Args:
        inputs: tensor.
        rate: drop probability in `[0, 1)`.
        noise_shape: shape of the keep mask, broadcast over `inputs` (None entries take the
            input's size).
        seed: see the module docstring.

    Example:
        >>> x = dropout(torch.ones(1000), 0.5, seed=1)
        >>> sorted(set(x.tolist()))
        [0.0, 2.0]
    """
    x = _on_device(inputs)
    if not 0.0 <= float(rate) < 1.0:
        raise ValueError(f"dropout expected `rate` in [0, 1); received rate={rate!r}.")
    if noise_shape is None:
        noise_shape = x.shape
    else:
        noise_shape = tuple(x.shape[i] if d is None else int(d) for i, d in enumerate(noise_shape))
    dtype = x.dtype if x.is_floating_point() else to_torch_dtype(floatx())
    keep = torch.rand(
        noise_shape, generator=generator_for(seed, x.device), dtype=dtype, device=x.device
    )
    keep = keep >= rate
    return torch.where(keep, x / (1.0 - rate), torch.zeros((), dtype=dtype, device=x.device))


def shuffle(x, axis=0, seed=None):
    """A random permutation of `x` along `axis`.

    Example:
        >>> sorted(shuffle([1, 2, 3], seed=1).tolist())
        [1, 2, 3]
    """
    x = _on_device(x)
    order = torch.randperm(x.shape[axis], generator=generator_for(seed, x.device), device=x.device)
    return x.index_select(axis, order)


def _standard_gamma(alpha, generator):
    """Gamma(alpha, 1) draws by Marsaglia and Tsang's method (`alpha` a float tensor)."""
    boost = alpha < 1
    # For alpha < 1: Gamma(alpha) = Gamma(alpha + 1) * U ** (1 / alpha).
    a = torch.where(boost, alpha + 1, alpha)
    d = a - 1.0 / 3.0
    c = 1.0 / torch.sqrt(9.0 * d)
    result = torch.empty_like(a)
    pending = torch.ones_like(a, dtype=torch.bool)
    while bool(pending.any()):
        x = torch.randn(a.shape, generator=generator, dtype=a.dtype, device=a.device)
        u = torch.rand(a.shape, generator=generator, dtype=a.dtype, device=a.device)
        v = (1 + c * x) ** 3
        accept = (v > 0) & (
            torch.log(u) < 0.5 * x * x + d - d * v + d * torch.log(v.clamp(min=1e-300))
        )
        take = accept & pending
        result = torch.where(take, d * v, result)
        pending = pending & ~accept
    u = torch.rand(a.shape, generator=generator, dtype=a.dtype, device=a.device)
    return torch.where(boost, result * u ** (1.0 / alpha), result)


def gamma(shape, alpha, dtype=None, seed=None):
    """Gamma-distributed values with concentration `alpha` (and scale 1).

    Example:
        >>> bool((gamma((10,), 2.0, seed=1) > 0).all())
        True
    """
    dtype, device = _float_dtype(dtype, "gamma"), _device()
    shape = _shape(shape, "gamma")
    alpha = torch.broadcast_to(_param(alpha, torch.float64, device), shape)
    return _standard_gamma(alpha, generator_for(seed, device)).to(dtype)


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Beta-distributed values in `[0, 1]`: `X / (X + Y)` with `X ~ Gamma(alpha)`,
    `Y ~ Gamma(beta)`.

    Example:
        >>> b = beta((10,), 2.0, 3.0, seed=1)
        >>> bool(((b >= 0) & (b <= 1)).all())
        True
    """
    dtype, device = _float_dtype(dtype, "beta"), _device()
    shape = _shape(shape, "beta")
    generator = generator_for(seed, device)
    a = torch.broadcast_to(_param(alpha, torch.float64, device), shape)
    b = torch.broadcast_to(_param(beta, torch.float64, device), shape)
    x = _standard_gamma(a, generator)
    y = _standard_gamma(b, generator)
    return (x / (x + y)).to(dtype)


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Binomial counts of successes in `counts` trials of probability `probabilities`.

    Example:
        >>> bool((binomial((10,), 5, 0.5, seed=1) <= 5).all())
        True
    """
    dtype, device = _float_dtype(dtype, "binomial"), _device()
    shape = _shape(shape, "binomial")
    n = torch.broadcast_to(_param(counts, torch.float64, device), shape).contiguous()
    p = torch.broadcast_to(_param(probabilities, torch.float64, device), shape).contiguous()
    return torch.binomial(n, p, generator=generator_for(seed, device)).to(dtype)
