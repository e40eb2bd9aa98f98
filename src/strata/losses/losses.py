"""The built-in loss classes: Keras 3's names, defaults and configs over the functions."""

import torch
import torch.nn.functional as F

from strata import backend
from strata.losses import functions as fns
from strata.losses.loss import Loss, as_float_tensor


def _same_float_pair(y_true, y_pred) -> bool:
    """Targets already shaped and typed like the predictions (what fit() hands over)."""
    return (
        isinstance(y_true, torch.Tensor)
        and y_true.shape == y_pred.shape
        and y_true.dtype == y_pred.dtype
        and y_pred.dim() >= 2
    )


class _FunctionLoss(Loss):
    """A built-in loss: `call` is one function of `functions`; subclasses set `_fn`, `_args`."""

    _fn = None
    _args: tuple = ()

    def __init__(self, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        for key in self._args:
            setattr(self, key, kwargs[key])

    def call(self, y_true, y_pred):
        return type(self)._fn(y_true, y_pred, **{key: getattr(self, key) for key in self._args})

    def get_config(self):
        return {**super().get_config(), **{key: getattr(self, key) for key in self._args}}


class MeanSquaredError(_FunctionLoss):
    """Mean of squares of errors between labels and predictions.

    Example:
        >>> float(MeanSquaredError()([[0.0, 1.0]], [[1.0, 1.0]]))
        0.5
    """

    _fn = fns.mean_squared_error

    def fused_mean(self, y_true, y_pred):
        return F.mse_loss(y_pred, y_true) if _same_float_pair(y_true, y_pred) else None

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype)


class MeanAbsoluteError(_FunctionLoss):
    """Mean of absolute errors between labels and predictions."""

    _fn = fns.mean_absolute_error

    def fused_mean(self, y_true, y_pred):
        return F.l1_loss(y_pred, y_true) if _same_float_pair(y_true, y_pred) else None

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype)


class MeanAbsolutePercentageError(_FunctionLoss):
    """Mean absolute percentage error: `100 * mean(|y_true - y_pred| / |y_true|)`."""

    _fn = fns.mean_absolute_percentage_error

    def __init__(
        self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error", dtype=None
    ):
        super().__init__(reduction=reduction, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(_FunctionLoss):
    """Mean squared error between `log(1 + y_true)` and `log(1 + y_pred)`."""

    _fn = fns.mean_squared_logarithmic_error

    def __init__(
        self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error", dtype=None
    ):
        super().__init__(reduction=reduction, name=name, dtype=dtype)


class Huber(_FunctionLoss):
    """Huber loss: quadratic for errors up to `delta`, linear beyond."""

    _fn = fns.huber
    _args = ("delta",)

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype, delta=delta)


class LogCosh(_FunctionLoss):
    """Logarithm of the hyperbolic cosine of the prediction error."""

    _fn = fns.log_cosh

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype)


class KLDivergence(_FunctionLoss):
    """Kullback-Leibler divergence `sum(y_true * log(y_true / y_pred))`."""

    _fn = fns.kl_divergence

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype)


class Poisson(_FunctionLoss):
    """Poisson loss `mean(y_pred - y_true * log(y_pred))`."""

    _fn = fns.poisson

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype)


class Hinge(_FunctionLoss):
    """Hinge loss `mean(max(1 - y_true * y_pred, 0))`; 0/1 labels become -1/1."""

    _fn = fns.hinge

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype)


class SquaredHinge(_FunctionLoss):
    """Squared hinge loss `mean(max(1 - y_true * y_pred, 0) ** 2)`."""

    _fn = fns.squared_hinge

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype)


class CategoricalHinge(_FunctionLoss):
    """Categorical hinge loss `max(neg - pos + 1, 0)`."""

    _fn = fns.categorical_hinge

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype)


class CosineSimilarity(_FunctionLoss):
    """Negative cosine similarity between labels and predictions along `axis`."""

    _fn = fns.cosine_similarity
    _args = ("axis",)

    def __init__(
        self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity", dtype=None
    ):
        super().__init__(reduction=reduction, name=name, dtype=dtype, axis=axis)


class BinaryCrossentropy(_FunctionLoss):
    """Crossentropy for 0/1 labels, averaged over `axis`.

    Args:
        from_logits: whether `y_pred` holds logits (computed with
            `binary_cross_entropy_with_logits`) rather than probabilities.
        label_smoothing: in [0, 1]; labels become `y * (1 - s) + 0.5 * s`.
        axis: the axis averaged over.
        reduction, name, dtype: see `Loss`.

    Example:
        >>> round(float(BinaryCrossentropy()([[1.0], [0.0]], [[0.8], [0.2]])), 4)
        0.2231
    """

    _fn = fns.binary_crossentropy
    _args = ("from_logits", "label_smoothing", "axis")

    def fused_mean(self, y_true, y_pred):
        if self.label_smoothing or self.axis != -1 or not _same_float_pair(y_true, y_pred):
            return None
        if self.from_logits:
            return F.binary_cross_entropy_with_logits(y_pred, y_true)
        eps = backend.epsilon()
        return F.binary_cross_entropy(y_pred.clamp(eps, 1.0 - eps), y_true)

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_crossentropy",
        dtype=None,
    ):
        _check_smoothing(label_smoothing)
        super().__init__(
            reduction=reduction,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class CategoricalCrossentropy(_FunctionLoss):
    """Crossentropy for one-hot labels along `axis`.

    Args:
        from_logits: whether `y_pred` holds logits (computed with `log_softmax`).
        label_smoothing: in [0, 1]; labels become `y * (1 - s) + s / num_classes`.
        axis: the class axis.
        reduction, name, dtype: see `Loss`.
    """

    _fn = fns.categorical_crossentropy
    _args = ("from_logits", "label_smoothing", "axis")

    def fused_mean(self, y_true, y_pred):
        if not self.from_logits or self.label_smoothing or self.axis not in (-1, 1):
            return None
        if y_pred.dim() != 2 or not _same_float_pair(y_true, y_pred):
            return None
        return F.cross_entropy(y_pred, y_true)  # soft (one-hot) targets

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_crossentropy",
        dtype=None,
    ):
        _check_smoothing(label_smoothing)
        super().__init__(
            reduction=reduction,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class SparseCategoricalCrossentropy(_FunctionLoss):
    """Crossentropy for integer class labels.

    Args:
        from_logits: whether `y_pred` holds logits (computed with `cross_entropy`).
        ignore_class: a label value whose entries count neither in the loss nor in the
            average (e.g. padding in segmentation masks), or None.
        reduction, name, dtype: see `Loss`.

    Example:
        >>> round(float(SparseCategoricalCrossentropy()([1, 0], [[0.2, 0.8], [0.8, 0.2]])), 4)
        0.2231
    """

    _fn = fns.sparse_categorical_crossentropy
    _args = ("from_logits", "ignore_class")

    def __init__(
        self,
        from_logits=False,
        ignore_class=None,
        reduction="sum_over_batch_size",
        name="sparse_categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(
            reduction=reduction,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
        )

    def fused_mean(self, y_true, y_pred):
        usable = (
            self.from_logits
            and self.ignore_class is None
            and y_pred.dim() == 2
            and isinstance(y_true, torch.Tensor)
            and y_true.dtype == torch.int64
            and y_true.shape == y_pred.shape[:1]
        )
        return F.cross_entropy(y_pred, y_true) if usable else None

    def call_with_mask(self, y_true, y_pred):
        y_pred = as_float_tensor(y_pred, self.dtype)
        return fns.sparse_crossentropy_and_mask(y_true, y_pred, self.from_logits, self.ignore_class)


def _check_smoothing(label_smoothing):
    if not 0.0 <= float(label_smoothing) <= 1.0:
        raise ValueError(
            f"label_smoothing expected a value in [0, 1]; received {label_smoothing!r}."
        )
