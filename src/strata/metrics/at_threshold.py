"""One rate at the threshold where another reaches a target: sensitivity at specificity,
specificity at sensitivity, precision at recall, recall at precision.

The counts at `num_thresholds` evenly spaced thresholds over [0, 1] stream on the device (the
bucket pass of `confusion`); the result picks the best feasible threshold.
"""

import torch

from strata.metrics.confusion import _ConfusionMetric, _divide_no_nan


def _even_thresholds(num_thresholds, owner):
    if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, int):
        raise ValueError(
            f"{owner} expected an integer num_thresholds > 0; received {num_thresholds!r}."
        )
    if num_thresholds <= 0:
        raise ValueError(f"{owner} expected num_thresholds > 0; received {num_thresholds}.")
    if num_thresholds == 1:
        return [0.5]
    inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
    return [0.0] + inner + [1.0]


def _check_rate(value, what, owner):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"{owner} expected {what} in [0, 1]; received {what}={value!r}.")
    return value


class _RateAtRate(_ConfusionMetric):
    """Max of one rate over the thresholds where another is at least `value`."""

    _counts = ("true_positives", "false_positives", "true_negatives", "false_negatives")
    _target = ""

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        owner = type(self).__name__
        self.value = _check_rate(value, self._target, owner)
        self.num_thresholds = num_thresholds
        thresholds = _even_thresholds(num_thresholds, owner)
        super().__init__(thresholds, name=name, dtype=dtype, class_id=class_id)

    def _prepare(self, y_pred):
        # Keras clips predictions into [0, 1] before bucketing them.
        return super()._prepare(y_pred).clamp(0.0, 1.0)

    def _rates(self):
        tp, fp = self.true_positives, self.false_positives
        tn, fn = self.true_negatives, self.false_negatives
        return {
            "sensitivity": _divide_no_nan(tp, tp + fn),
            "recall": _divide_no_nan(tp, tp + fn),
            "specificity": _divide_no_nan(tn, tn + fp),
            "precision": _divide_no_nan(tp, tp + fp),
        }

    def result(self):
        rates = self._rates()
        constrained, dependent = rates[self._target], rates[self._reported]
        feasible = constrained >= self.value
        return torch.where(feasible, dependent, torch.zeros_like(dependent)).max().clamp_min(0.0)

    def get_config(self):
        return {
            **super().get_config(),
            "class_id": self.class_id,
            "num_thresholds": self.num_thresholds,
            self._target: self.value,
        }


class SensitivityAtSpecificity(_RateAtRate):
    """The best sensitivity (recall) among thresholds whose specificity is >= `specificity`.

    Args:
        specificity: the specificity to reach, in [0, 1].
        num_thresholds: how many thresholds to try, evenly spaced over [0, 1].
        class_id: the class to score in multi-class data, or None.
        name, dtype: see `Metric`.

    Example:
        >>> m = SensitivityAtSpecificity(0.5)
        >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
        >>> round(float(m.result()), 4)
        0.5
    """

    _target, _reported = "specificity", "sensitivity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)


class SpecificityAtSensitivity(_RateAtRate):
    """The best specificity among thresholds whose sensitivity is >= `sensitivity`.

    Example:
        >>> m = SpecificityAtSensitivity(0.5)
        >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
        >>> round(float(m.result()), 4)
        0.6667
    """

    _target, _reported = "sensitivity", "specificity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)


class PrecisionAtRecall(_RateAtRate):
    """The best precision among thresholds whose recall is >= `recall`.

    Example:
        >>> m = PrecisionAtRecall(0.5)
        >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
        >>> round(float(m.result()), 4)
        0.5
    """

    _target, _reported = "recall", "precision"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)


class RecallAtPrecision(_RateAtRate):
    """The best recall among thresholds whose precision is >= `precision`.

    Example:
        >>> m = RecallAtPrecision(0.8)
        >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        >>> round(float(m.result()), 4)
        0.5
    """

    _target, _reported = "precision", "recall"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)
