"""Correlation and goodness-of-fit metrics: Pearson, concordance (Lin) and R^2."""

import warnings

import torch

from strata import backend
from strata.losses.loss import as_float_tensor, as_like, squeeze_or_expand_to_same_rank
from strata.metrics.metric import MeanMetricWrapper, Metric


def _pair(y_true, y_pred):
    y_pred = as_float_tensor(y_pred)
    return squeeze_or_expand_to_same_rank(as_like(y_true, y_pred), y_pred)


def pearson_correlation(y_true, y_pred, axis=-1):
    """Pearson's correlation coefficient between labels and predictions along `axis`.

    Both are centred and divided by their (population) standard deviation; a constant row has
    no defined correlation and gives NaN, as in Keras.

    Args:
        y_true: the targets.
        y_pred: the predictions, shaped like `y_true`.
        axis: the axis (or axes) along which the coefficient is computed.

    Returns:
        One coefficient per row (the shape without `axis`).

    Example:
        >>> r = pearson_correlation([[0, 1, 0.5], [1, 1, 0.2]], [[0.1, 0.9, 0.5], [1, 0.9, 0.2]])
        >>> [round(v, 4) for v in r.tolist()]
        [1.0, 0.9934]
    """
    y_true, y_pred = _pair(y_true, y_pred)
    t = y_true - y_true.mean(dim=axis, keepdim=True)
    p = y_pred - y_pred.mean(dim=axis, keepdim=True)
    t = t / t.std(dim=axis, keepdim=True, correction=0)
    p = p / p.std(dim=axis, keepdim=True, correction=0)
    return (t * p).mean(dim=axis)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Lin's concordance correlation coefficient between labels and predictions along `axis`:
    `2 cov(t, p) / (var(t) + var(p) + (mean(t) - mean(p)) ** 2)`, with population variances and
    Keras's epsilon added to the denominator.

    Args:
        y_true: the targets.
        y_pred: the predictions, shaped like `y_true`.
        axis: the axis (or axes) along which the coefficient is computed.

    Returns:
        One coefficient per row (the shape without `axis`).

    Example:
        >>> c = concordance_correlation([[0, 1, 0.5], [1, 1, 0.2]],
        ...                             [[0.1, 0.9, 0.5], [1, 0.9, 0.2]])
        >>> [round(v, 4) for v in c.tolist()]
        [0.9756, 0.9877]
    """
    y_true, y_pred = _pair(y_true, y_pred)
    true_mean = y_true.mean(dim=axis, keepdim=True)
    pred_mean = y_pred.mean(dim=axis, keepdim=True)
    true_var = (y_true - true_mean).var(dim=axis, keepdim=True, correction=0)
    pred_var = (y_pred - pred_mean).var(dim=axis, keepdim=True, correction=0)
    covariance = (y_true - true_mean) * (y_pred - pred_mean)
    norm = true_var + pred_var + (true_mean - pred_mean).square()
    return (2.0 * covariance / (norm + backend.epsilon())).mean(dim=axis)


class PearsonCorrelation(MeanMetricWrapper):
    """The running mean, over rows, of Pearson's correlation coefficient along `axis`.

    Args:
        name, dtype: see `Metric`.
        axis: the axis (or axes) along which each coefficient is computed.

    Example:
        >>> m = PearsonCorrelation()
        >>> m.update_state([[0, 1, 0.5], [1, 1, 0.2]], [[0.1, 0.9, 0.5], [1, 0.9, 0.2]])
        >>> round(float(m.result()), 4)
        0.9967
    """

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=axis)


class ConcordanceCorrelation(MeanMetricWrapper):
    """The running mean, over rows, of the concordance correlation coefficient along `axis`.

    Args:
        name, dtype: see `Metric`.
        axis: the axis (or axes) along which each coefficient is computed.

    Example:
        >>> m = ConcordanceCorrelation()
        >>> m.update_state([[0, 1, 0.5], [1, 1, 0.2]], [[0.1, 0.9, 0.5], [1, 0.9, 0.2]])
        >>> round(float(m.result()), 4)
        0.9816
    """

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        super().__init__(concordance_correlation, name=name, dtype=dtype, axis=axis)


_AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")


class R2Score(Metric):
    """The coefficient of determination R^2 of each output column, from streamed sums.

    The state (per column: weighted sums of labels, squared labels and squared residuals, and
    the weight) adds up over batches and processes, so the result is exact for the whole epoch.
    It is created at the first update, when the number of columns is known.

    Args:
        class_aggregation: how the columns' scores combine: "uniform_average" (mean),
            "variance_weighted_average" (weighted by each column's label variance), or None
            (one score per column).
        num_regressors: the number of independent variables, for the adjusted R^2 (0: plain
            R^2).
        name, dtype: see `Metric`.

    Example:
        >>> m = R2Score()
        >>> m.update_state([[1.0], [4.0], [3.0]], [[2.0], [4.0], [4.0]])
        >>> round(float(m.result()), 4)
        0.5714
    """

    def __init__(
        self, class_aggregation="uniform_average", num_regressors=0, name="r2_score", dtype=None
    ):
        super().__init__(name=name, dtype=dtype)
        if class_aggregation not in _AGGREGATIONS:
            raise ValueError(
                f"R2Score expected class_aggregation among {_AGGREGATIONS}; received "
                f"{class_aggregation!r}."
            )
        if isinstance(num_regressors, bool) or not isinstance(num_regressors, (int, float)):
            raise ValueError(
                f"R2Score expected a number num_regressors >= 0; received {num_regressors!r}."
            )
        if num_regressors < 0:
            raise ValueError(
                f"R2Score expected num_regressors >= 0; received num_regressors={num_regressors}."
            )
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable("num_samples", ())
        self._built = False

    def _build(self, y_true, y_pred):
        if y_true.dim() != 2 or y_pred.dim() != 2:
            raise ValueError(
                "R2Score expected 2D inputs of shape (batch_size, output_dim); received "
                f"y_true of shape {tuple(y_true.shape)} and y_pred of shape "
                f"{tuple(y_pred.shape)}."
            )
        columns = (y_pred.shape[-1],)
        for name in ("squared_sum", "sum", "total_mse", "count"):
            self.add_variable(name, columns)
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = as_float_tensor(y_pred, self.dtype)
        self._place(y_pred)
        y_true, y_pred = squeeze_or_expand_to_same_rank(as_like(y_true, y_pred), y_pred)
        if not self._built:
            self._build(y_true, y_pred)
        if sample_weight is None:
            weight = torch.ones_like(y_true)
        else:
            weight = as_like(sample_weight, y_pred)
            if weight.dim() == 1:
                weight = weight.unsqueeze(1)
            weight = torch.broadcast_to(weight, y_true.shape)
        weighted = y_true * weight
        self.sum.add_(weighted.sum(dim=0))
        self.squared_sum.add_((y_true * weighted).sum(dim=0))
        self.total_mse.add_(((y_true - y_pred).square() * weight).sum(dim=0))
        self.count.add_(weight.sum(dim=0))
        # Keras counts entries (samples times columns) here, for the adjusted score.
        self.num_samples.add_(y_true.numel())

    def result(self):
        if not self._built:
            raise ValueError(f"R2Score '{self.name}' has no result before its first update.")
        mean = self.sum / self.count
        total = self.squared_sum - self.sum * mean
        raw = 1.0 - self.total_mse / total
        raw = torch.where(torch.isinf(raw), torch.zeros_like(raw), raw)
        if self.class_aggregation == "uniform_average":
            score = raw.mean()
        elif self.class_aggregation == "variance_weighted_average":
            score = (total * raw).sum() / total.sum()
        else:
            score = raw
        if self.num_regressors == 0:
            return score
        return self._adjusted(score)

    def _adjusted(self, score):
        # Reading num_samples is a host sync, paid only here: results are read at log time.
        n = float(self.num_samples)
        p = float(self.num_regressors)
        if p > n - 1:
            warnings.warn(
                "R2Score: more independent predictors than data points for the adjusted R^2; "
                "falling back to the plain R^2.",
                stacklevel=3,
            )
            return score
        if p == n - 1:
            warnings.warn(
                "R2Score: the adjusted R^2 divides by zero (num_regressors == num_samples - 1); "
                "falling back to the plain R^2.",
                stacklevel=3,
            )
            return score
        return 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)

    def get_config(self):
        return {
            **super().get_config(),
            "class_aggregation": self.class_aggregation,
            "num_regressors": self.num_regressors,
        }
