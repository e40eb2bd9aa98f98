"""The `Loss` base class, its reductions, and the wrapper that turns a function into a loss.

A loss has two halves: `call(y_true, y_pred)` gives one value per sample (what the plain
functions in `strata.losses` return), and `__call__` weights and reduces them to the scalar the
optimizer sees. Everything stays on the tensors' device; nothing here reads a value back to the
host, so a training step never waits on the accelerator.
"""

import torch

from strata import backend
from strata.backend.naming import to_snake_case, unique_name

REDUCTIONS = ("sum_over_batch_size", "sum", "none", None, "mean", "mean_with_sample_weight")


def as_float_tensor(y_pred, dtype=None) -> torch.Tensor:
    """`y_pred` as a floating tensor (`dtype`, else its own float dtype, else floatx)."""
    if not isinstance(y_pred, torch.Tensor):
        y_pred = backend.convert_to_tensor(y_pred)
    if dtype is not None:
        target = backend.to_torch_dtype(dtype)
        return y_pred if y_pred.dtype == target else y_pred.to(target)
    if not y_pred.is_floating_point():
        return y_pred.to(backend.to_torch_dtype(backend.floatx()))
    return y_pred


def as_like(y_true, y_pred: torch.Tensor) -> torch.Tensor:
    """`y_true` as a tensor with `y_pred`'s dtype and device (labels come as ints, arrays...)."""
    if not isinstance(y_true, torch.Tensor):
        y_true = torch.as_tensor(y_true)
    if y_true.dtype != y_pred.dtype or y_true.device != y_pred.device:
        y_true = y_true.to(device=y_pred.device, dtype=y_pred.dtype, non_blocking=True)
    return y_true


def as_on_device(value, like: torch.Tensor) -> torch.Tensor:
    """`value` as a tensor on `like`'s device, keeping its own dtype (class indices stay ints)."""
    if not isinstance(value, torch.Tensor):
        value = torch.as_tensor(value)
    if value.device != like.device:
        value = value.to(like.device, non_blocking=True)
    return value


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Make two tensors whose ranks differ by one and end in a 1 the same rank (Keras's rule).

    A rank-1 tensor is expanded to `(n, 1)` when `expand_rank_1`; otherwise the trailing 1 of
    the longer one is squeezed.
    """
    r1, r2 = x1.dim(), x2.dim()
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2.unsqueeze(-1)
        else:
            x1 = x1.squeeze(-1)
    elif r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1.unsqueeze(-1)
        else:
            x2 = x2.squeeze(-1)
    return x1, x2


def weight_values(values: torch.Tensor, sample_weight) -> tuple[torch.Tensor, torch.Tensor]:
    """Multiply `values` by `sample_weight`, which broadcasts per sample (leading dims).

    Returns the weighted values and the weights as they were broadcast.
    """
    sample_weight = as_like(sample_weight, values)
    values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
    if sample_weight.dim() < values.dim():
        # A weight per sample for a loss per (sample, timestep): weight every timestep alike.
        extra = values.dim() - sample_weight.dim()
        sample_weight = sample_weight.reshape(sample_weight.shape + (1,) * extra)
    return values * sample_weight, sample_weight


def reduce_values(values: torch.Tensor, reduction, sample_weight=None) -> torch.Tensor:
    """Reduce weighted per-sample values the Keras 3 way.

    "sum_over_batch_size" (and its alias "mean") divides the weighted sum by the number of
    values, not by the sum of weights; "mean_with_sample_weight" divides by the sum of weights.
    """
    if reduction is None or reduction == "none":
        return values
    total = values.sum()
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = torch.broadcast_to(sample_weight, values.shape).sum()
        return torch.where(divisor != 0, total / divisor, torch.zeros_like(total))
    count = values.numel()
    return total / count if count else torch.zeros_like(total)


def _floatx_dtype() -> torch.dtype:
    name = backend.floatx()
    cached = _FLOATX_CACHE.get(name)
    if cached is None:
        cached = _FLOATX_CACHE[name] = backend.to_torch_dtype(name)
    return cached


_FLOATX_CACHE: dict = {}


def check_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(
            "Loss reduction expected one of 'sum_over_batch_size', 'sum', 'none', 'mean', "
            f"'mean_with_sample_weight' or None; received {reduction!r}."
        )
    return reduction


class Loss:
    """Base class of losses: subclasses implement `call(y_true, y_pred)` per sample.

    Args:
        name: the loss's name (default: the class name in snake case).
        reduction: how per-sample losses become the returned value: "sum_over_batch_size"
            (weighted sum divided by the number of samples), "sum", or "none".
        dtype: the dtype the loss is computed in (default: `strata.backend.floatx()`).

    Example:
        >>> import torch
        >>> class Abs(Loss):
        ...     def call(self, y_true, y_pred):
        ...         return (y_pred - y_true).abs().mean(dim=-1)
        >>> float(Abs()(torch.zeros(2, 1), torch.tensor([[1.0], [3.0]])))
        2.0
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self.reduction = check_reduction(reduction)
        self._dtype_arg = backend.standardize_dtype(dtype)

    @property
    def dtype(self) -> str:
        return self._dtype_arg or backend.floatx()

    def __call__(self, y_true, y_pred, sample_weight=None) -> torch.Tensor:
        """The weighted, reduced loss (a scalar tensor unless `reduction="none"`)."""
        if (
            sample_weight is None
            and self.reduction in ("sum_over_batch_size", "mean")
            and isinstance(y_pred, torch.Tensor)
            and y_pred.dtype is self._torch_dtype()
        ):
            # The training hot path: no conversion needed, maybe one fused kernel.
            fused = self.fused_mean(y_true, y_pred)
            if fused is not None:
                return fused
        y_pred = as_float_tensor(y_pred, self.dtype)
        losses, mask = self.call_with_mask(y_true, y_pred)
        if mask is not None:
            sample_weight = self._merge_mask(losses, mask, sample_weight)
        if sample_weight is not None:
            losses, sample_weight = weight_values(losses, sample_weight)
        return reduce_values(losses, self.reduction, sample_weight)

    def _torch_dtype(self) -> torch.dtype:
        return backend.to_torch_dtype(self._dtype_arg) if self._dtype_arg else _floatx_dtype()

    def call(self, y_true, y_pred) -> torch.Tensor:
        """Per-sample losses; subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred).")

    def fused_mean(self, y_true, y_pred):
        """The unweighted mean loss in one torch kernel, or None where that does not apply.

        The training step's hot path: `F.cross_entropy` and friends do in one op what the
        per-sample `call` does in several. Subclasses return None unless the result is equal.
        """
        return None

    def call_with_mask(self, y_true, y_pred):
        """`(per-sample losses, mask or None)`; a loss that ignores some entries overrides it."""
        return self.call(y_true, y_pred), None

    def _merge_mask(self, losses, mask, sample_weight):
        mask = mask.to(losses.dtype)
        if self.reduction in ("sum_over_batch_size", "mean"):
            # Scale the valid entries by total/valid so that dividing by the number of entries
            # averages over the valid ones only, as Keras does (with epsilon when none is valid).
            mask = mask * (mask.numel() / (mask.sum() + backend.epsilon()))
        if sample_weight is None:
            return mask
        weighted, _ = weight_values(mask, sample_weight)
        return weighted

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction, "dtype": self._dtype_arg}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r} reduction={self.reduction!r}>"


class LossFunctionWrapper(Loss):
    """A `Loss` around a function `fn(y_true, y_pred, **kwargs) -> per-sample losses`.

    Args:
        fn: the per-sample loss function.
        reduction: see `Loss`.
        name: the loss's name (default: the function's name).
        dtype: see `Loss`.
        **kwargs: keyword arguments passed to `fn` on every call (JSON values).

    Example:
        >>> import torch
        >>> from strata.losses import mean_absolute_error
        >>> loss = LossFunctionWrapper(mean_absolute_error)
        >>> float(loss(torch.zeros(2, 2), torch.ones(2, 2)))
        1.0
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(
            name=name or getattr(fn, "__name__", None), reduction=reduction, dtype=dtype
        )
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        from strata.saving.registry import serialize_keras_object

        return {**super().get_config(), "fn": serialize_keras_object(self.fn), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        fn = config.pop("fn", None)
        if isinstance(fn, (str, dict)):
            from strata.losses import deserialize

            fn = deserialize(fn)
        return cls(fn, **config)
