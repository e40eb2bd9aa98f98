"""Weight penalties: L1, L2, both, and the orthogonality penalty."""

import math

import torch


def _check_factor(value, name, who):
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not math.isfinite(value)
        or value < 0
    ):
        raise ValueError(
            f"{who} expected a non-negative finite float for {name}; received {name}={value!r}."
        )
    return float(value)


class Regularizer:
    """Base class of weight penalties: `regularizer(weight)` returns a scalar added to the loss.

    Subclasses implement `__call__(x)` and `get_config()`.

    Example:
        >>> class Sum(Regularizer):
        ...     def __call__(self, x):
        ...         return x.sum()
        >>> Sum()(torch.ones(3)).item()
        3.0
    """

    def __call__(self, x) -> torch.Tensor:
        return x.new_zeros(())

    def get_config(self) -> dict:
        """The constructor arguments, as JSON values."""
        return {}

    @classmethod
    def from_config(cls, config: dict):
        """A new regularizer built from `get_config()`'s output."""
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1(Regularizer):
    """`l1 * sum(|x|)`.

    Args:
        l1: the penalty factor.

    Example:
        >>> L1(0.5)(torch.tensor([1.0, -2.0])).item()
        1.5
    """

    def __init__(self, l1=0.01):
        self.l1 = _check_factor(0.01 if l1 is None else l1, "l1", "L1")

    def __call__(self, x) -> torch.Tensor:
        return self.l1 * x.abs().sum()

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(Regularizer):
    """`l2 * sum(x**2)`.

    Args:
        l2: the penalty factor.

    Example:
        >>> L2(0.5)(torch.tensor([1.0, -2.0])).item()
        2.5
    """

    def __init__(self, l2=0.01):
        self.l2 = _check_factor(0.01 if l2 is None else l2, "l2", "L2")

    def __call__(self, x) -> torch.Tensor:
        return self.l2 * x.square().sum()

    def get_config(self) -> dict:
        return {"l2": self.l2}


class L1L2(Regularizer):
    """`l1 * sum(|x|) + l2 * sum(x**2)`.

    Args:
        l1: the L1 factor.
        l2: the L2 factor.

    Example:
        >>> L1L2(l1=1.0, l2=1.0)(torch.tensor([1.0, -2.0])).item()
        8.0
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _check_factor(0.0 if l1 is None else l1, "l1", "L1L2")
        self.l2 = _check_factor(0.0 if l2 is None else l2, "l2", "L1L2")

    def __call__(self, x) -> torch.Tensor:
        penalty = x.new_zeros(())
        if self.l1:
            penalty = penalty + self.l1 * x.abs().sum()
        if self.l2:
            penalty = penalty + self.l2 * x.square().sum()
        return penalty

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Penalizes overlap between the rows (or columns) of a matrix.

    The rows (or columns) are scaled to unit length; the penalty is
    `factor * 0.5 * sum(|off-diagonal entries of their Gram matrix|) / (n * (n - 1) / 2)`
    for `n` rows (columns), which is zero when they are orthogonal.

    Args:
        factor: the penalty factor.
        mode: `"rows"` or `"columns"`: which vectors should be orthogonal.

    Example:
        >>> OrthogonalRegularizer(factor=1.0)(torch.eye(3)).item()
        0.0
    """

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _check_factor(factor, "factor", "OrthogonalRegularizer")
        if mode not in ("rows", "columns"):
            raise ValueError(
                "OrthogonalRegularizer expected mode to be 'rows' or 'columns'; "
                f"received mode={mode!r}."
            )
        self.mode = mode

    def __call__(self, x) -> torch.Tensor:
        if x.dim() != 2:
            raise ValueError(
                "OrthogonalRegularizer expected a weight of rank 2; "
                f"received shape {tuple(x.shape)}."
            )
        vectors = x if self.mode == "rows" else x.T
        squared = vectors.square().sum(dim=1, keepdim=True).clamp_min(1e-12)
        unit = vectors * torch.rsqrt(squared)
        gram = unit @ unit.T
        size = gram.shape[0]
        if size < 2:
            return x.new_zeros(())
        off_diagonal = gram.abs().sum() - torch.diagonal(gram).abs().sum()
        pairs = size * (size - 1) / 2.0
        return self.factor * 0.5 * off_diagonal / pairs

    def get_config(self) -> dict:
        return {"factor": self.factor, "mode": self.mode}


def l1_l2(l1=0.01, l2=0.01):
    """An `L1L2` regularizer with both factors defaulting to 0.01 (Keras 2's function form).

    Args:
        l1: the L1 factor.
        l2: the L2 factor.

    Returns:
        An `L1L2` instance.

    Example:
        >>> l1_l2().get_config()
        {'l1': 0.01, 'l2': 0.01}
    """
    return L1L2(l1=l1, l2=l2)
