"""Running means of per-sample functions: hinge, KL divergence, Poisson, cosine similarity and
log-cosh error (Keras's `hinge_metrics`, `probabilistic_metrics` and two regression metrics)."""

import torch

from strata import backend
from strata.losses import functions as fns
from strata.losses.loss import as_float_tensor, as_like, squeeze_or_expand_to_same_rank
from strata.metrics.metric import MeanMetricWrapper


def _similarity(y_true, y_pred, axis=-1):
    """Cosine similarity along `axis` (positive: 1 means the same direction)."""
    y_pred = as_float_tensor(y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(as_like(y_true, y_pred), y_pred)
    eps = backend.epsilon()
    # x / max(norm, eps), as Keras computes it: x * min(rsqrt(sum of squares), 1 / eps).
    y_true = y_true * torch.rsqrt(y_true.square().sum(dim=axis, keepdim=True)).clamp_max(1 / eps)
    y_pred = y_pred * torch.rsqrt(y_pred.square().sum(dim=axis, keepdim=True)).clamp_max(1 / eps)
    return (y_true * y_pred).sum(dim=axis)


class Hinge(MeanMetricWrapper):
    """The running mean of the hinge loss `max(1 - y_true * y_pred, 0)` (0/1 labels become
    -1/1).

    Example:
        >>> m = Hinge()
        >>> m.update_state([[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]])
        >>> round(float(m.result()), 4)
        1.3
    """

    def __init__(self, name="hinge", dtype=None):
        super().__init__(fns.hinge, name=name, dtype=dtype)


class SquaredHinge(MeanMetricWrapper):
    """The running mean of the squared hinge loss `max(1 - y_true * y_pred, 0) ** 2`.

    Example:
        >>> m = SquaredHinge()
        >>> m.update_state([[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]])
        >>> round(float(m.result()), 4)
        1.86
    """

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(fns.squared_hinge, name=name, dtype=dtype)


class CategoricalHinge(MeanMetricWrapper):
    """The running mean of the categorical hinge loss `max(neg - pos + 1, 0)`.

    Example:
        >>> m = CategoricalHinge()
        >>> m.update_state([[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]])
        >>> round(float(m.result()), 4)
        1.4
    """

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(fns.categorical_hinge, name=name, dtype=dtype)


class KLDivergence(MeanMetricWrapper):
    """The running mean of the Kullback-Leibler divergence `sum(y_true * log(y_true / y_pred))`.

    Example:
        >>> m = KLDivergence()
        >>> m.update_state([[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]])
        >>> round(float(m.result()), 4)
        0.4581
    """

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(fns.kl_divergence, name=name, dtype=dtype)


class Poisson(MeanMetricWrapper):
    """The running mean of the Poisson loss `mean(y_pred - y_true * log(y_pred))`.

    Example:
        >>> m = Poisson()
        >>> m.update_state([[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]])
        >>> round(float(m.result()), 4)
        0.7291
    """

    def __init__(self, name="poisson", dtype=None):
        super().__init__(fns.poisson, name=name, dtype=dtype)


class CosineSimilarity(MeanMetricWrapper):
    """The running mean of the cosine similarity between labels and predictions along `axis`
    (1 when they point the same way; the loss of that name is its negative).

    Args:
        name, dtype: see `Metric`.
        axis: the axis along which vectors are compared.

    Example:
        >>> m = CosineSimilarity()
        >>> m.update_state([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]])
        >>> round(float(m.result()), 4)
        0.5
    """

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(_similarity, name=name, dtype=dtype, axis=axis)


class LogCoshError(MeanMetricWrapper):
    """The running mean of `log(cosh(y_pred - y_true))` (Keras names it "logcosh").

    Example:
        >>> m = LogCoshError()
        >>> m.update_state([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]])
        >>> round(float(m.result()), 4)
        0.1084
    """

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(fns.log_cosh, name=name, dtype=dtype)
