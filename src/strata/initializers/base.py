"""The initializer base class, fan computation and the seeded samplers the random ones share."""

import math

import torch

from strata.backend import to_torch_dtype

# Sampling in half precision loses too much in erfinv and QR; draw in float32 and cast.
_LOW_PRECISION = (torch.float16, torch.bfloat16)


def compute_fans(shape):
    """The fan-in and fan-out of a weight of Keras shape `shape`.

    A vector uses its length for both; a matrix `(in, out)` gives `in` and `out`; a
    convolution kernel `(*spatial, in, out)` multiplies both by the receptive field size
    (the product of the spatial dimensions).

    Args:
        shape: the weight's shape as a tuple of integers, in Keras's layout.

    Returns:
        A tuple `(fan_in, fan_out)` of Python integers.

    Example:
        >>> compute_fans((3, 3, 16, 32))
        (144, 288)
    """
    shape = tuple(int(dim) for dim in shape)
    if not shape:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def standardize_shape(shape) -> tuple[int, ...]:
    """`shape` as a tuple of non-negative Python integers (an int is a rank-1 shape)."""
    if isinstance(shape, int) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        result = tuple(int(dim) for dim in shape)
    except (TypeError, ValueError):
        raise ValueError(
            f"Expected a shape given as a tuple of non-negative integers; received {shape!r}."
        ) from None
    if any(dim < 0 for dim in result):
        raise ValueError(
            f"Expected a shape given as a tuple of non-negative integers; received {shape!r}."
        )
    return result


def resolve_float_dtype(dtype, who: str) -> torch.dtype:
    """The torch dtype for `dtype` (floatx when None), which must be a floating type."""
    resolved = to_torch_dtype(dtype)
    if not resolved.is_floating_point:
        raise ValueError(f"{who} expected a floating-point dtype; received dtype={dtype!r}.")
    return resolved


class Initializer:
    """Base class of weight initializers.

    Subclasses implement `__call__(shape, dtype=None)`, returning a new CPU tensor of that
    shape, and `get_config()` when their constructor takes arguments.

    Example:
        >>> class Halves(Initializer):
        ...     def __call__(self, shape, dtype=None):
        ...         return torch.full(shape, 0.5)
        >>> Halves()((2,)).tolist()
        [0.5, 0.5]
    """

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        raise NotImplementedError(
            f"{type(self).__name__} must implement __call__(shape, dtype=None)."
        )

    def get_config(self) -> dict:
        """The constructor arguments, as JSON values."""
        return {}

    @classmethod
    def from_config(cls, config: dict):
        """A new initializer built from `get_config()`'s output."""
        return cls(**config)

    def clone(self):
        """A new initializer with the same configuration."""
        return type(self).from_config(self.get_config())

    def __repr__(self):
        args = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({args})"


class RandomInitializer(Initializer):
    """Base class of initializers that draw random values.

    With an integer `seed`, every call draws from a fresh `torch.Generator` seeded with it, so
    the same shape always gets the same tensor. With `seed=None`, values come from torch's
    global generator, which `strata.backend.set_random_seed` makes reproducible.

    Args:
        seed: an integer, or None to use torch's global random state.
    """

    def __init__(self, seed=None):
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise ValueError(
                f"{type(self).__name__} expected an integer seed or None; received seed={seed!r}."
            )
        self.seed = seed

    def _generator(self):
        if self.seed is None:
            return None
        generator = torch.Generator(device="cpu")
        generator.manual_seed(self.seed)
        return generator

    def _empty(self, shape, dtype):
        shape = standardize_shape(shape)
        target = resolve_float_dtype(dtype, type(self).__name__)
        work = torch.float32 if target in _LOW_PRECISION else target
        return torch.empty(shape, dtype=work), target

    def _normal(self, shape, dtype, mean, stddev):
        values, target = self._empty(shape, dtype)
        values.normal_(mean, stddev, generator=self._generator())
        return values.to(target)

    def _uniform(self, shape, dtype, minval, maxval):
        values, target = self._empty(shape, dtype)
        values.uniform_(minval, maxval, generator=self._generator())
        return values.to(target)

    def _truncated_normal(self, shape, dtype, mean, stddev):
        """Normal values truncated at two standard deviations, by inverting the CDF."""
        values, target = self._empty(shape, dtype)
        # erf(x / sqrt(2)) at x = +-2 bounds the uniform draw that erfinv maps back to [-2, 2].
        bound = math.erf(2.0 / math.sqrt(2.0))
        values.uniform_(-bound, bound, generator=self._generator())
        values.erfinv_().mul_(math.sqrt(2.0)).clamp_(-2.0, 2.0)
        return values.mul_(stddev).add_(mean).to(target)

    def get_config(self) -> dict:
        return {"seed": self.seed}
