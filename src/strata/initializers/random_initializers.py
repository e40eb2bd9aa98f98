"""Random initializers: plain distributions, variance scaling and its named presets, orthogonal."""

import math

import torch

from strata.initializers.base import (
    RandomInitializer,
    compute_fans,
    resolve_float_dtype,
    standardize_shape,
)

# The standard deviation of a unit normal truncated to [-2, 2]: dividing by it restores the
# variance that truncation removes.
_TRUNCATED_STDDEV = 0.87962566103423978


class RandomNormal(RandomInitializer):
    """Draws from a normal distribution.

    Args:
        mean: the distribution's mean.
        stddev: its standard deviation.
        seed: an integer for the same values on every call, or None for torch's global RNG.

    Example:
        >>> RandomNormal(stddev=1.0, seed=3)((2, 2)).shape
        torch.Size([2, 2])
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean = float(mean)
        self.stddev = float(stddev)

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        return self._normal(shape, dtype, self.mean, self.stddev)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(RandomInitializer):
    """Draws from a uniform distribution on `[minval, maxval)`.

    Args:
        minval: the lower bound.
        maxval: the upper bound.
        seed: an integer for the same values on every call, or None for torch's global RNG.

    Example:
        >>> bool((RandomUniform(0.0, 1.0, seed=1)((100,)) >= 0).all())
        True
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval = float(minval)
        self.maxval = float(maxval)

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        return self._uniform(shape, dtype, self.minval, self.maxval)

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class TruncatedNormal(RandomInitializer):
    """Draws from a normal distribution cut at two standard deviations from the mean.

    Args:
        mean: the distribution's mean.
        stddev: the standard deviation before truncation.
        seed: an integer for the same values on every call, or None for torch's global RNG.

    Example:
        >>> bool((TruncatedNormal(stddev=1.0, seed=0)((1000,)).abs() <= 2.0).all())
        True
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean = float(mean)
        self.stddev = float(stddev)

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        return self._truncated_normal(shape, dtype, self.mean, self.stddev)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class VarianceScaling(RandomInitializer):
    """Draws values whose variance is `scale / n`, with `n` a fan of the weight's shape.

    `n` is the fan-in, the fan-out or their average (`mode`). With
    `distribution="truncated_normal"` the standard deviation is
    `sqrt(scale / n) / 0.87962566103423978` before truncation at two standard deviations;
    `"untruncated_normal"` uses `sqrt(scale / n)`; `"uniform"` draws on `[-limit, limit]` with
    `limit = sqrt(3 * scale / n)`.

    Args:
        scale: a positive scaling factor.
        mode: `"fan_in"`, `"fan_out"` or `"fan_avg"`.
        distribution: `"truncated_normal"`, `"untruncated_normal"` or `"uniform"`
            (`"normal"` means `"truncated_normal"`).
        seed: an integer for the same values on every call, or None for torch's global RNG.

    Example:
        >>> init = VarianceScaling(scale=2.0, mode="fan_in", distribution="uniform", seed=0)
        >>> init((64, 32)).shape
        torch.Size([64, 32])
    """

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        super().__init__(seed)
        if not isinstance(scale, (int, float)) or isinstance(scale, bool) or scale <= 0.0:
            raise ValueError(
                f"{type(self).__name__} expected a positive float scale; received scale={scale!r}."
            )
        mode_name = str(mode).lower()
        if mode_name not in self._MODES:
            raise ValueError(
                f"{type(self).__name__} expected mode to be one of {self._MODES}; "
                f"received mode={mode!r}."
            )
        dist_name = str(distribution).lower()
        if dist_name == "normal":
            dist_name = "truncated_normal"
        if dist_name not in self._DISTRIBUTIONS:
            raise ValueError(
                f"{type(self).__name__} expected distribution to be one of "
                f"{self._DISTRIBUTIONS}; received distribution={distribution!r}."
            )
        self.scale = float(scale)
        self.mode = mode_name
        self.distribution = dist_name

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        shape = standardize_shape(shape)
        fan_in, fan_out = compute_fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        variance = self.scale / max(1.0, fan[self.mode])
        if self.distribution == "truncated_normal":
            return self._truncated_normal(
                shape, dtype, 0.0, math.sqrt(variance) / _TRUNCATED_STDDEV
            )
        if self.distribution == "untruncated_normal":
            return self._normal(shape, dtype, 0.0, math.sqrt(variance))
        limit = math.sqrt(3.0 * variance)
        return self._uniform(shape, dtype, -limit, limit)

    def get_config(self) -> dict:
        return {
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "seed": self.seed,
        }


class _Preset(VarianceScaling):
    """A VarianceScaling with fixed settings: only the seed is configurable."""

    _SETTINGS: tuple[float, str, str] = (1.0, "fan_in", "truncated_normal")

    def __init__(self, seed=None):
        scale, mode, distribution = self._SETTINGS
        super().__init__(scale=scale, mode=mode, distribution=distribution, seed=seed)

    def get_config(self) -> dict:
        return {"seed": self.seed}


class GlorotUniform(_Preset):
    """Glorot (Xavier) uniform: `limit = sqrt(6 / (fan_in + fan_out))`.

    Args:
        seed: an integer for the same values on every call, or None for torch's global RNG.

    Example:
        >>> GlorotUniform(seed=0)((4, 4)).abs().max().item() <= (6 / 8) ** 0.5
        True
    """

    _SETTINGS = (1.0, "fan_avg", "uniform")


class GlorotNormal(_Preset):
    """Glorot (Xavier) truncated normal: `stddev = sqrt(2 / (fan_in + fan_out))` (before the cut).

    Args:
        seed: an integer for the same values on every call, or None for torch's global RNG.

    Example:
        >>> GlorotNormal(seed=0)((4, 4)).shape
        torch.Size([4, 4])
    """

    _SETTINGS = (1.0, "fan_avg", "truncated_normal")


class HeUniform(_Preset):
    """He uniform: `limit = sqrt(6 / fan_in)`.

    Args:
        seed: an integer for the same values on every call, or None for torch's global RNG.

    Example:
        >>> HeUniform(seed=0)((6, 2)).abs().max().item() <= 1.0
        True
    """

    _SETTINGS = (2.0, "fan_in", "uniform")


class HeNormal(_Preset):
    """He truncated normal: `stddev = sqrt(2 / fan_in)` (before the cut).

    Args:
        seed: an integer for the same values on every call, or None for torch's global RNG.

    Example:
        >>> HeNormal(seed=0)((3, 3, 8, 16)).shape
        torch.Size([3, 3, 8, 16])
    """

    _SETTINGS = (2.0, "fan_in", "truncated_normal")


class LecunUniform(_Preset):
    """LeCun uniform: `limit = sqrt(3 / fan_in)`.

    Args:
        seed: an integer for the same values on every call, or None for torch's global RNG.

    Example:
        >>> LecunUniform(seed=0)((3, 2)).abs().max().item() <= 1.0
        True
    """

    _SETTINGS = (1.0, "fan_in", "uniform")


class LecunNormal(_Preset):
    """LeCun truncated normal: `stddev = sqrt(1 / fan_in)` (before the cut).

    Args:
        seed: an integer for the same values on every call, or None for torch's global RNG.

    Example:
        >>> LecunNormal(seed=0)((5, 5)).shape
        torch.Size([5, 5])
    """

    _SETTINGS = (1.0, "fan_in", "truncated_normal")


class Orthogonal(RandomInitializer):
    """A random orthogonal matrix times `gain`, from the QR decomposition of a normal draw.

    Shapes of rank above two are flattened to `(prod(shape[:-1]), shape[-1])`; the result has
    orthonormal columns when it is tall, orthonormal rows when it is wide.

    Args:
        gain: the multiplier applied to the orthogonal matrix.
        seed: an integer for the same values on every call, or None for torch's global RNG.

    Example:
        >>> w = Orthogonal(seed=0)((5, 3))
        >>> torch.allclose(w.T @ w, torch.eye(3), atol=1e-5)
        True
    """

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = float(gain)

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        shape = standardize_shape(shape)
        if len(shape) < 2:
            raise ValueError(
                f"Orthogonal expected a shape of rank 2 or more; received shape={shape}."
            )
        target = resolve_float_dtype(dtype, "Orthogonal")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        work = torch.float64 if target == torch.float64 else torch.float32
        draw = torch.empty((max(rows, cols), min(rows, cols)), dtype=work)
        draw.normal_(0.0, 1.0, generator=self._generator())
        q, r = torch.linalg.qr(draw)
        # QR is unique only up to column signs; fixing them makes the result uniformly
        # distributed over orthogonal matrices.
        q = q * torch.sign(torch.diagonal(r)).unsqueeze(0)
        if rows < cols:
            q = q.T
        return (self.gain * q).reshape(shape).to(target).contiguous()

    def get_config(self) -> dict:
        return {"gain": self.gain, "seed": self.seed}
