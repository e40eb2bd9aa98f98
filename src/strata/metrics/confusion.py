"""Confusion-matrix metrics: counts at thresholds, precision, recall and AUC.

Every prediction is compared with every threshold in one pass that stays on the device: each
prediction falls in the bucket of thresholds it exceeds (`searchsorted`), weights are summed per
bucket, and a reversed cumulative sum gives the counts at every threshold. This is Keras's
bucket algorithm, extended to any sorted set of thresholds, so the cost is O(predictions +
thresholds) rather than their product.
"""

import numpy as np
import torch

from strata import backend
from strata.losses.loss import as_float_tensor, as_like, squeeze_or_expand_to_same_rank
from strata.metrics.metric import Metric

NEG_INF = -1e10


def _check_thresholds(thresholds, default):
    if thresholds is None:
        return [float(default)]
    values = [thresholds] if np.isscalar(thresholds) else list(thresholds)
    invalid = [t for t in values if t is None or not 0.0 <= float(t) <= 1.0]
    if invalid or not values:
        raise ValueError(
            f"Threshold values must be in [0, 1]; received {thresholds!r} "
            f"(out of range: {invalid})."
        )
    return [float(t) for t in values]


def _filter_top_k(y_pred, k):
    """Keep the `k` largest scores of each sample; the others become NEG_INF."""
    indices = torch.topk(y_pred, min(k, y_pred.shape[-1]), dim=-1).indices
    keep = torch.zeros_like(y_pred, dtype=torch.bool).scatter_(-1, indices, True)
    return torch.where(keep, y_pred, torch.full_like(y_pred, NEG_INF))


def confusion_counts(
    y_true, y_pred, thresholds, sample_weight=None, top_k=None, class_id=None, soft_labels=False
):
    """(TP, FP, TN, FN) at each of the sorted `thresholds` (a prediction is positive when it is
    strictly greater than the threshold; a label is positive when non-zero).

    With `soft_labels`, a label `y` counts `y` as a positive and `1 - y` as a negative (AUC's
    reading of soft labels).
    """
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, as_like(y_true, y_pred))
    if sample_weight is not None:
        weight = as_like(sample_weight, y_pred)
        _, weight = squeeze_or_expand_to_same_rank(y_pred, weight, expand_rank_1=False)
        weight = weight.reshape(weight.shape + (1,) * (y_pred.dim() - weight.dim()))
        weight = torch.broadcast_to(weight, y_pred.shape)
    else:
        weight = None
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        y_true, y_pred = y_true[..., class_id], y_pred[..., class_id]
        weight = None if weight is None else weight[..., class_id]
    y_true, y_pred = y_true.reshape(-1), y_pred.reshape(-1).contiguous()
    if soft_labels:
        pos = y_true
        neg = 1.0 - y_true
    else:
        pos = (y_true != 0).to(y_pred.dtype)
        neg = 1.0 - pos
    if weight is not None:
        weight = weight.reshape(-1)
        pos, neg = pos * weight, neg * weight
    num = thresholds.shape[0]
    # bucket b = how many thresholds lie strictly below the prediction.
    bucket = torch.searchsorted(thresholds, y_pred)
    hist_pos = torch.zeros(num + 1, dtype=y_pred.dtype, device=y_pred.device)
    hist_neg = torch.zeros_like(hist_pos)
    hist_pos.scatter_add_(0, bucket, pos)
    hist_neg.scatter_add_(0, bucket, neg)
    above_pos = hist_pos.flip(0).cumsum(0).flip(0)
    above_neg = hist_neg.flip(0).cumsum(0).flip(0)
    tp, fp = above_pos[1:], above_neg[1:]
    return tp, fp, above_neg[0] - fp, above_pos[0] - tp


class _ConfusionMetric(Metric):
    """State: one counter per threshold for each count this metric needs."""

    _counts: tuple = ()
    _soft_labels = False

    def __init__(self, thresholds, name=None, dtype=None, top_k=None, class_id=None):
        super().__init__(name=name, dtype=dtype)
        self.thresholds = list(thresholds)
        self.top_k = top_k
        self.class_id = class_id
        order = np.argsort(self.thresholds, kind="stable")
        self._sorted = torch.tensor([self.thresholds[i] for i in order], dtype=self.torch_dtype)
        # Counts come out in sorted order; `_unsort` puts them back in the user's order.
        self._unsort = torch.from_numpy(np.argsort(order, kind="stable"))
        for count in self._counts:
            self.add_variable(shape=(len(self.thresholds),), initializer="zeros", name=count)

    def _place(self, like):
        super()._place(like)
        if self._sorted.device != self._device:
            self._sorted = self._sorted.to(self._device)
            self._unsort = self._unsort.to(self._device)

    def _prepare(self, y_pred):
        return as_float_tensor(y_pred, self.dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = self._prepare(y_pred)
        self._place(y_pred)
        tp, fp, tn, fn = confusion_counts(
            y_true,
            y_pred,
            self._sorted,
            sample_weight,
            self.top_k,
            self.class_id,
            soft_labels=self._soft_labels,
        )
        found = {
            "true_positives": tp,
            "false_positives": fp,
            "true_negatives": tn,
            "false_negatives": fn,
        }
        for count in self._counts:
            getattr(self, count).add_(found[count][self._unsort])

    def _single(self, value):
        return value[0] if len(self.thresholds) == 1 else value


def _divide_no_nan(a, b):
    return torch.where(b != 0, a / torch.where(b != 0, b, torch.ones_like(b)), torch.zeros_like(a))


class _Count(_ConfusionMetric):
    def __init__(self, thresholds=None, name=None, dtype=None):
        self.init_thresholds = thresholds
        super().__init__(_check_thresholds(thresholds, 0.5), name=name, dtype=dtype)

    def result(self):
        return self._single(getattr(self, self._counts[0]).clone())

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_Count):
    """The (weighted) number of true positives at each threshold (default 0.5)."""

    _counts = ("true_positives",)


class FalsePositives(_Count):
    """The (weighted) number of false positives at each threshold (default 0.5)."""

    _counts = ("false_positives",)


class TrueNegatives(_Count):
    """The (weighted) number of true negatives at each threshold (default 0.5)."""

    _counts = ("true_negatives",)


class FalseNegatives(_Count):
    """The (weighted) number of false negatives at each threshold (default 0.5)."""

    _counts = ("false_negatives",)


class _PrecisionRecall(_ConfusionMetric):
    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        self.init_thresholds = thresholds
        default = 0.5 if top_k is None else NEG_INF
        values = [default] if thresholds is None else _check_thresholds(thresholds, default)
        super().__init__(values, name=name, dtype=dtype, top_k=top_k, class_id=class_id)

    def get_config(self):
        return {
            **super().get_config(),
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }


class Precision(_PrecisionRecall):
    """TP / (TP + FP) at each threshold (default 0.5), optionally within the top-k scores or for
    one class.

    Example:
        >>> m = Precision()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> round(float(m.result()), 4)
        0.6667
    """

    _counts = ("true_positives", "false_positives")

    def result(self):
        tp = self.true_positives
        return self._single(_divide_no_nan(tp, tp + self.false_positives))


class Recall(_PrecisionRecall):
    """TP / (TP + FN) at each threshold (default 0.5), optionally within the top-k scores or for
    one class."""

    _counts = ("true_positives", "false_negatives")

    def result(self):
        tp = self.true_positives
        return self._single(_divide_no_nan(tp, tp + self.false_negatives))


class AUC(_ConfusionMetric):
    """Area under the ROC or precision-recall curve, from counts at `num_thresholds` thresholds.

    Args:
        num_thresholds: number of thresholds, evenly spaced over [0, 1] (endpoints just outside).
        curve: "ROC" or "PR".
        summation_method: "interpolation" (trapezoids for ROC; Davis & Goadrich's interpolation
            of precision for PR), "minoring" or "majoring".
        name, dtype: see `Metric`.
        thresholds: explicit thresholds in [0, 1] instead of evenly spaced ones.
        from_logits: apply a sigmoid to `y_pred` first.

    Example:
        >>> m = AUC(num_thresholds=3)
        >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        >>> round(float(m.result()), 4)
        0.75
    """

    _counts = ("true_positives", "false_positives", "true_negatives", "false_negatives")
    _soft_labels = True

    def __init__(
        self,
        num_thresholds=200,
        curve="ROC",
        summation_method="interpolation",
        name=None,
        dtype=None,
        thresholds=None,
        from_logits=False,
    ):
        if str(curve).upper() not in ("ROC", "PR"):
            raise ValueError(f"AUC curve expected 'ROC' or 'PR'; received {curve!r}.")
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(
                "AUC summation_method expected 'interpolation', 'minoring' or 'majoring'; "
                f"received {summation_method!r}."
            )
        self.curve = str(curve).upper()
        self.summation_method = summation_method
        self.from_logits = from_logits
        if thresholds is not None:
            inner = sorted(_check_thresholds(thresholds, 0.5))
            self._evenly = False
        else:
            if not isinstance(num_thresholds, int) or num_thresholds <= 1:
                raise ValueError(
                    f"AUC num_thresholds expected an integer > 1; received {num_thresholds!r}."
                )
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly = True
        self.num_thresholds = len(inner) + 2
        # Endpoints just outside [0, 1]: every probability exceeds the first, none the last.
        eps = backend.epsilon()
        super().__init__([0.0 - eps] + inner + [1.0 + eps], name=name, dtype=dtype)

    def _prepare(self, y_pred):
        y_pred = super()._prepare(y_pred)
        return torch.sigmoid(y_pred) if self.from_logits else y_pred

    def _interpolate_pr_auc(self):
        # Between two thresholds TP grows linearly with P = TP + FP, so precision = TP / P is
        # a + b / P there; integrate it over recall in closed form (Davis & Goadrich 2006).
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        p = tp + fp
        dtp = tp[:-1] - tp[1:]
        dp = p[:-1] - p[1:]
        slope = _divide_no_nan(dtp, dp.clamp_min(0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        ratio = torch.where(
            both, _divide_no_nan(p[:-1], p[1:].clamp_min(0)), torch.ones_like(p[1:])
        )
        increment = _divide_no_nan(
            slope * (dtp + intercept * torch.log(ratio)), (tp[1:] + fn[1:]).clamp_min(0)
        )
        return increment.sum()

    def result(self):
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc()
        tp, fp = self.true_positives, self.false_positives
        recall = _divide_no_nan(tp, tp + self.false_negatives)
        if self.curve == "ROC":
            x, y = _divide_no_nan(fp, fp + self.true_negatives), recall
        else:
            x, y = recall, _divide_no_nan(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = torch.minimum(y[:-1], y[1:])
        else:
            heights = torch.maximum(y[:-1], y[1:])
        return ((x[:-1] - x[1:]) * heights).sum()

    def get_config(self):
        config = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "from_logits": self.from_logits,
        }
        if not self._evenly:
            config["thresholds"] = self.thresholds[1:-1]
        return config
