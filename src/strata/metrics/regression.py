"""Error and crossentropy metrics: running means of the per-sample loss functions."""

import torch

from strata.losses import functions as fns
from strata.losses.loss import as_float_tensor, as_like, squeeze_or_expand_to_same_rank
from strata.metrics.metric import Mean, MeanMetricWrapper


class MeanSquaredError(MeanMetricWrapper):
    """The running mean of the squared error."""

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(fns.mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """The running mean of the absolute error."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(fns.mean_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(MeanMetricWrapper):
    """The running mean of the absolute percentage error."""

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(fns.mean_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(MeanMetricWrapper):
    """The running mean of the squared logarithmic error."""

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(fns.mean_squared_logarithmic_error, name=name, dtype=dtype)


class RootMeanSquaredError(Mean):
    """The square root of the running mean of squared errors.

    Example:
        >>> m = RootMeanSquaredError()
        >>> m.update_state([[0.0], [0.0]], [[3.0], [4.0]])
        >>> round(float(m.result()), 4)
        3.5355
    """

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = as_float_tensor(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(as_like(y_true, y_pred), y_pred)
        super().update_state((y_pred - y_true).square(), sample_weight=sample_weight)

    def result(self):
        return torch.sqrt(super().result())


class BinaryCrossentropy(MeanMetricWrapper):
    """The running mean of the binary crossentropy."""

    def __init__(
        self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0.0
    ):
        super().__init__(
            fns.binary_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
        )


class CategoricalCrossentropy(MeanMetricWrapper):
    """The running mean of the categorical crossentropy."""

    def __init__(
        self,
        name="categorical_crossentropy",
        dtype=None,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
    ):
        super().__init__(
            fns.categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """The running mean of the sparse categorical crossentropy."""

    def __init__(
        self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False, axis=-1
    ):
        super().__init__(
            fns.sparse_categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            axis=axis,
        )
