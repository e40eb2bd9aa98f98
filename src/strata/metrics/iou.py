"""Intersection-over-union metrics from a streamed confusion matrix (labels by predictions).

As in Keras, the matrix's dtype is the metric's dtype, `"int32"` unless one is given: weights
are then whole numbers, and fractional sample weights need `dtype="float32"`.
"""

import warnings

import torch

from strata import backend
from strata.losses.loss import as_float_tensor, as_on_device
from strata.metrics.metric import Metric


class _IoUBase(Metric):
    """State: the `(num_classes, num_classes)` confusion matrix, rows labels, columns
    predictions."""

    def __init__(
        self,
        num_classes,
        name=None,
        dtype=None,
        ignore_class=None,
        sparse_y_true=True,
        sparse_y_pred=True,
        axis=-1,
    ):
        super().__init__(name=name, dtype=dtype or "int32")
        if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError(
                f"{type(self).__name__} expected num_classes to be an integer >= 1; received "
                f"{num_classes!r}."
            )
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.add_variable("total_cm", (num_classes, num_classes))

    def _as_ids(self, y_true, y_pred):
        return y_true, y_pred

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not isinstance(y_pred, torch.Tensor):
            y_pred = backend.convert_to_tensor(y_pred)
        self._place(y_pred)
        y_true = as_on_device(y_true, y_pred)
        y_true, y_pred = self._as_ids(y_true, y_pred)
        if not self.sparse_y_true:
            y_true = y_true.argmax(dim=self.axis)
        if not self.sparse_y_pred:
            y_pred = y_pred.argmax(dim=self.axis)
        dtype = self.torch_dtype
        shape = y_true.shape
        # Keras casts ids to the metric's dtype: float ids are truncated, as there.
        y_true = y_true.to(dtype).reshape(-1)
        y_pred = y_pred.to(dtype).reshape(-1)
        weight = self._weights(sample_weight, shape, y_pred)
        n = self.num_classes
        valid = (y_true >= 0) & (y_true < n) & (y_pred >= 0) & (y_pred < n)
        if self.ignore_class is not None:
            valid = valid & (y_true != self.ignore_class)
        zero = torch.zeros_like(y_true)
        index = torch.where(valid, y_true, zero).long() * n + torch.where(valid, y_pred, zero)
        weight = torch.where(valid, weight, torch.zeros_like(weight))
        self.total_cm.view(-1).scatter_add_(0, index.long(), weight)

    def _weights(self, sample_weight, label_shape, like):
        dtype = self.torch_dtype
        if sample_weight is None:
            return torch.ones(like.shape, dtype=dtype, device=like.device)
        weight = as_on_device(sample_weight, like)
        if weight.is_floating_point() and not dtype.is_floating_point:
            warnings.warn(
                f"{type(self).__name__} '{self.name}' received float sample weights but its "
                f"dtype is {self.dtype}: the weights are cast to integers (pass "
                "dtype='float32' for fractional weights).",
                stacklevel=3,
            )
        weight = weight.to(dtype)
        if weight.numel() != like.numel() and weight.dim() <= len(label_shape):
            # Per-sample weights for per-pixel labels: each sample's weight on all its entries.
            weight = weight.reshape(tuple(weight.shape) + (1,) * (len(label_shape) - weight.dim()))
            weight = torch.broadcast_to(weight, label_shape)
        return torch.broadcast_to(weight.reshape(-1), like.shape)


class IoU(_IoUBase):
    """Intersection over union `TP / (TP + FP + FN)` of the classes in `target_class_ids`,
    averaged over those classes (classes that never occur are left out of the mean).

    Args:
        num_classes: the number of classes (the confusion matrix is num_classes squared).
        target_class_ids: the classes whose IoU is averaged.
        name: see `Metric`.
        dtype: the confusion matrix's dtype (default "int32", as in Keras).
        ignore_class: a label whose entries are left out (e.g. a "void" class), or None.
        sparse_y_true: whether labels are class ids (False: one-hot/scores, arg-maxed).
        sparse_y_pred: whether predictions are class ids (False: scores, arg-maxed).
        axis: the class axis for arg-max.

    Example:
        >>> m = IoU(num_classes=2, target_class_ids=[0])
        >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
        >>> round(float(m.result()), 4)
        0.3333
    """

    def __init__(
        self,
        num_classes,
        target_class_ids,
        name=None,
        dtype=None,
        ignore_class=None,
        sparse_y_true=True,
        sparse_y_pred=True,
        axis=-1,
    ):
        super().__init__(
            num_classes,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )
        ids = list(target_class_ids)
        if not ids or max(ids) >= num_classes or min(ids) < 0:
            raise ValueError(
                f"{type(self).__name__} expected target_class_ids in [0, {num_classes}); "
                f"received {target_class_ids!r}."
            )
        self.target_class_ids = ids

    def result(self):
        cm = self.total_cm.to(torch.float32)
        true_positives = torch.diagonal(cm)
        denominator = cm.sum(dim=0) + cm.sum(dim=1) - true_positives
        ids = torch.tensor(self.target_class_ids, device=cm.device)
        true_positives, denominator = true_positives[ids], denominator[ids]
        valid = denominator > 1e-9
        eps = backend.epsilon()
        iou = torch.where(
            valid, true_positives / (denominator + eps), torch.zeros_like(denominator)
        )
        return iou.sum() / (valid.to(torch.float32).sum() + eps)

    def get_config(self):
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "target_class_ids": self.target_class_ids,
            "ignore_class": self.ignore_class,
            "sparse_y_true": self.sparse_y_true,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }


class BinaryIoU(IoU):
    """IoU of a binary task: predictions at or above `threshold` are class 1, the rest class 0.

    Args:
        target_class_ids: `[0]`, `[1]` or `[0, 1]` (the mean of both).
        threshold: the cut between class 0 and class 1.
        name, dtype: see `IoU`.

    Example:
        >>> m = BinaryIoU(target_class_ids=[0, 1], threshold=0.3)
        >>> m.update_state([0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7])
        >>> round(float(m.result()), 4)
        0.3333
    """

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def _as_ids(self, y_true, y_pred):
        y_pred = as_float_tensor(y_pred, "float32")
        return y_true, (y_pred >= self.threshold).to(self.torch_dtype)

    def get_config(self):
        return {
            "target_class_ids": self.target_class_ids,
            "threshold": self.threshold,
            "name": self.name,
            "dtype": self._dtype_arg,
        }


class MeanIoU(IoU):
    """The mean IoU over all `num_classes` classes (classes that never occur are left out).

    Example:
        >>> m = MeanIoU(num_classes=2)
        >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
        >>> round(float(m.result()), 4)
        0.3333
    """

    def __init__(
        self,
        num_classes,
        name=None,
        dtype=None,
        ignore_class=None,
        sparse_y_true=True,
        sparse_y_pred=True,
        axis=-1,
    ):
        super().__init__(
            num_classes,
            list(range(num_classes)) if isinstance(num_classes, int) else [0],
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self):
        config = super().get_config()
        del config["target_class_ids"]
        return config


class OneHotIoU(IoU):
    """`IoU` for one-hot labels (and, unless `sparse_y_pred`, score predictions): both are
    arg-maxed over `axis` first.

    Example:
        >>> m = OneHotIoU(num_classes=3, target_class_ids=[0, 2])
        >>> m.update_state([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]],
        ...                [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]])
        >>> round(float(m.result()), 4)
        0.1667
    """

    def __init__(
        self,
        num_classes,
        target_class_ids,
        name=None,
        dtype=None,
        ignore_class=None,
        sparse_y_pred=False,
        axis=-1,
    ):
        super().__init__(
            num_classes,
            target_class_ids,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config


class OneHotMeanIoU(MeanIoU):
    """`MeanIoU` for one-hot labels (and, unless `sparse_y_pred`, score predictions).

    Example:
        >>> m = OneHotMeanIoU(num_classes=3)
        >>> m.update_state([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]],
        ...                [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]])
        >>> round(float(m.result()), 4)
        0.1111
    """

    def __init__(
        self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_pred=False, axis=-1
    ):
        super().__init__(
            num_classes,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config
