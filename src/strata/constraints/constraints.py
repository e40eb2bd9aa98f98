"""Weight constraints: projections applied to a weight after each optimizer step."""

import torch

from strata.backend import epsilon


def _check_axis(axis, who):
    if isinstance(axis, int) and not isinstance(axis, bool):
        return axis
    if isinstance(axis, (list, tuple)) and all(
        isinstance(a, int) and not isinstance(a, bool) for a in axis
    ):
        return list(axis)
    raise ValueError(f"{who} expected an integer axis or a list of them; received axis={axis!r}.")


def _dims(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _norms(w, axis):
    return torch.sqrt(w.square().sum(dim=_dims(axis), keepdim=True))


class Constraint:
    """Base class of weight constraints: `constraint(weight)` returns the projected weight.

    The caller applies it outside autograd (under `torch.no_grad()`) and copies the result
    into the weight; the base class returns the weight unchanged.

    Example:
        >>> class Clip(Constraint):
        ...     def __call__(self, w):
        ...         return w.clamp(-1.0, 1.0)
        >>> Clip()(torch.tensor([3.0])).tolist()
        [1.0]
    """

    def __call__(self, w) -> torch.Tensor:
        return w

    def get_config(self) -> dict:
        """The constructor arguments, as JSON values."""
        return {}

    @classmethod
    def from_config(cls, config: dict):
        """A new constraint built from `get_config()`'s output."""
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({args})"


class MaxNorm(Constraint):
    """Scales down the slices of the weight whose L2 norm along `axis` exceeds `max_value`.

    Each slice becomes `w * clip(norm, 0, max_value) / (epsilon + norm)`.

    Args:
        max_value: the largest norm allowed.
        axis: the axis (or axes) the norm is taken over; with a Dense kernel `(in, out)`,
            `axis=0` constrains each unit's incoming weights.

    Example:
        >>> w = MaxNorm(1.0)(torch.tensor([[3.0], [4.0]]))
        >>> [round(v, 4) for v in w.flatten().tolist()]
        [0.6, 0.8]
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = _check_axis(axis, "MaxNorm")

    def __call__(self, w) -> torch.Tensor:
        norms = _norms(w, self.axis)
        desired = norms.clamp(0.0, self.max_value)
        return w * (desired / (epsilon() + norms))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves the L2 norm of each slice along `axis` towards `[min_value, max_value]`.

    The target norm is `rate * clip(norm, min_value, max_value) + (1 - rate) * norm`, and the
    slice becomes `w * target / (epsilon + norm)`.

    Args:
        min_value: the smallest norm wanted.
        max_value: the largest norm wanted.
        rate: 1.0 projects exactly; smaller values move part of the way each step.
        axis: the axis (or axes) the norm is taken over.

    Example:
        >>> w = MinMaxNorm(2.0, 3.0)(torch.tensor([[0.6], [0.8]]))
        >>> [round(v, 4) for v in w.flatten().tolist()]
        [1.2, 1.6]
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        if min_value > max_value:
            raise ValueError(
                "MinMaxNorm expected min_value <= max_value; received "
                f"min_value={min_value!r}, max_value={max_value!r}."
            )
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = _check_axis(axis, "MinMaxNorm")

    def __call__(self, w) -> torch.Tensor:
        norms = _norms(w, self.axis)
        desired = self.rate * norms.clamp(self.min_value, self.max_value) + (1 - self.rate) * norms
        return w * (desired / (epsilon() + norms))

    def get_config(self) -> dict:
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }


class NonNeg(Constraint):
    """Sets negative entries to zero.

    Example:
        >>> NonNeg()(torch.tensor([-1.0, 2.0])).tolist()
        [0.0, 2.0]
    """

    def __call__(self, w) -> torch.Tensor:
        return w.clamp_min(0.0)


class UnitNorm(Constraint):
    """Scales each slice along `axis` to unit L2 norm: `w / (epsilon + norm)`.

    Args:
        axis: the axis (or axes) the norm is taken over.

    Example:
        >>> w = UnitNorm()(torch.tensor([[3.0], [4.0]]))
        >>> [round(v, 4) for v in w.flatten().tolist()]
        [0.6, 0.8]
    """

    def __init__(self, axis=0):
        self.axis = _check_axis(axis, "UnitNorm")

    def __call__(self, w) -> torch.Tensor:
        return w / (epsilon() + _norms(w, self.axis))

    def get_config(self) -> dict:
        return {"axis": self.axis}
