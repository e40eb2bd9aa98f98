"""F-beta and F1 scores from streamed per-class counts of true/false positives and negatives."""

from strata import backend
from strata.losses.loss import as_float_tensor, as_like
from strata.metrics.metric import Metric

_AVERAGES = (None, "micro", "macro", "weighted")
_STATE = ("true_positives", "false_positives", "false_negatives", "intermediate_weights")


class FBetaScore(Metric):
    """The F-beta score `(1 + beta**2) * P * R / (beta**2 * P + R)` for multi-class or
    multi-label predictions of shape `(batch, num_classes)`.

    The counts (per class, or in total with `average="micro"`) are created at the first update,
    when the number of classes is known; they add up over batches and processes.

    Args:
        average: None (one score per class), "micro" (from the total counts), "macro" (the
            mean of the per-class scores) or "weighted" (their mean weighted by each class's
            number of true instances).
        beta: a float > 0; recall counts `beta` times as much as precision.
        threshold: a float in (0, 1]: predictions above it are positive. None: the highest
            score of each sample is positive (unless it is 0).
        name, dtype: see `Metric`.

    Example:
        >>> m = FBetaScore(beta=2.0, threshold=0.5)
        >>> m.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]],
        ...                [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
        >>> [round(v, 4) for v in m.result().tolist()]
        [0.3846, 0.9091, 0.8333]
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in _AVERAGES:
            raise ValueError(
                f"FBetaScore expected average among {_AVERAGES}; received average={average!r}."
            )
        if not isinstance(beta, float):
            raise ValueError(
                f"FBetaScore expected beta to be a Python float; received beta={beta!r} of type "
                f"{type(beta).__name__}."
            )
        if beta <= 0.0:
            raise ValueError(f"FBetaScore expected beta > 0; received beta={beta}.")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError(
                    "FBetaScore expected threshold to be a Python float or None; received "
                    f"threshold={threshold!r} of type {type(threshold).__name__}."
                )
            if not 0.0 < threshold <= 1.0:
                raise ValueError(
                    f"FBetaScore expected 0 < threshold <= 1; received threshold={threshold}."
                )
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true, y_pred):
        if y_true.dim() != 2 or y_pred.dim() != 2:
            raise ValueError(
                f"{type(self).__name__} expected 2D inputs of shape (batch_size, num_classes); "
                f"received y_true of shape {tuple(y_true.shape)} and y_pred of shape "
                f"{tuple(y_pred.shape)}."
            )
        shape = () if self.average == "micro" else (y_pred.shape[-1],)
        for name in _STATE:
            self.add_variable(name, shape)
        self._built = True

    def _sum(self, values, weight):
        if weight is not None:
            values = values * weight
        return values.sum() if self.axis is None else values.sum(dim=self.axis)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = as_float_tensor(y_pred, self.dtype)
        self._place(y_pred)
        y_true = as_like(y_true, y_pred)
        if not self._built:
            self._build(y_true, y_pred)
        if self.threshold is None:
            top = y_pred.amax(dim=-1, keepdim=True)
            # The arg-max is positive, except in an all-zero row (which has no prediction).
            predicted = (y_pred >= top) & (y_pred.abs() > 1e-9)
        else:
            predicted = y_pred > self.threshold
        predicted = predicted.to(y_pred.dtype)
        weight = None
        if sample_weight is not None:
            weight = as_like(sample_weight, y_pred)
            if weight.dim() == 1:
                weight = weight.unsqueeze(1)
        self.true_positives.add_(self._sum(predicted * y_true, weight))
        self.false_positives.add_(self._sum(predicted * (1.0 - y_true), weight))
        self.false_negatives.add_(self._sum((1.0 - predicted) * y_true, weight))
        self.intermediate_weights.add_(self._sum(y_true, weight))

    def result(self):
        if not self._built:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' has no result before its first update."
            )
        eps = backend.epsilon()
        tp = self.true_positives
        precision = tp / (tp + self.false_positives + eps)
        recall = tp / (tp + self.false_negatives + eps)
        beta2 = self.beta**2
        score = precision * recall / (beta2 * precision + recall + eps) * (1.0 + beta2)
        if self.average == "weighted":
            support = self.intermediate_weights
            return (score * support / (support.sum() + eps)).sum()
        if self.average is not None:
            return score.mean()
        return score

    def get_config(self):
        return {
            **super().get_config(),
            "average": self.average,
            "beta": self.beta,
            "threshold": self.threshold,
        }


class F1Score(FBetaScore):
    """The F1 score `2 * P * R / (P + R)`, the harmonic mean of precision and recall.

    Args:
        average: None, "micro", "macro" or "weighted" (see `FBetaScore`).
        threshold: a float in (0, 1], or None for the arg-max of each sample.
        name, dtype: see `Metric`.

    Example:
        >>> m = F1Score(threshold=0.5)
        >>> m.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]],
        ...                [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
        >>> [round(v, 4) for v in m.result().tolist()]
        [0.5, 0.8, 0.6667]
    """

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config
