"""Accuracy metrics: exact match, binary, categorical, sparse categorical and top-k."""

import torch

from strata import backend
from strata.losses.loss import (
    as_float_tensor,
    as_like,
    as_on_device,
    squeeze_or_expand_to_same_rank,
)
from strata.metrics.metric import MeanMetricWrapper


def _floatx():
    return backend.to_torch_dtype(backend.floatx())


def accuracy(y_true, y_pred):
    """1.0 where `y_true == y_pred` exactly, else 0.0 (elementwise)."""
    y_pred = as_float_tensor(y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(as_like(y_true, y_pred), y_pred)
    return (y_true == y_pred).to(_floatx())


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where `(y_pred > threshold)` equals the 0/1 label, else 0.0 (elementwise).

    Example:
        >>> binary_accuracy([[1.0], [0.0]], [[0.7], [0.6]]).flatten().tolist()
        [1.0, 0.0]
    """
    y_pred = as_float_tensor(y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(as_like(y_true, y_pred), y_pred)
    return (y_true == (y_pred > threshold).to(y_true.dtype)).to(_floatx())


def categorical_accuracy(y_true, y_pred):
    """1.0 where the arg-max of the one-hot label equals the arg-max of `y_pred`, per sample."""
    y_pred = as_float_tensor(y_pred)
    y_true = as_on_device(y_true, y_pred)
    return (y_true.argmax(dim=-1) == y_pred.argmax(dim=-1)).to(_floatx())


def _sparse_labels(y_true, y_pred):
    y_true = as_on_device(y_true, y_pred)
    if y_true.dim() == y_pred.dim() and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    return y_true


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the integer label equals the arg-max of `y_pred`, per sample.

    Example:
        >>> sparse_categorical_accuracy([[2], [1]], [[0.1, 0.2, 0.7], [0.5, 0.3, 0.2]]).tolist()
        [1.0, 0.0]
    """
    y_pred = as_float_tensor(y_pred)
    y_true = _sparse_labels(y_true, y_pred)
    matches = (y_true == y_pred.argmax(dim=-1).to(y_true.dtype)).to(_floatx())
    if matches.dim() > 1 and matches.shape[-1] == 1:
        matches = matches.squeeze(-1)
    return matches


def _in_top_k(labels, y_pred, k):
    """Whether each label's score is at least the k-th largest (ties count as in)."""
    num_classes = y_pred.shape[-1]
    flat_pred = y_pred.reshape(-1, num_classes)
    flat_labels = labels.reshape(-1, 1).long()
    kth = torch.topk(flat_pred, min(k, num_classes), dim=-1).values[:, -1]
    target = torch.gather(flat_pred, 1, flat_labels)[:, 0]
    return (target >= kth).to(_floatx()).reshape(labels.shape)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot label's class is among the `k` highest scores, per sample."""
    y_pred = as_float_tensor(y_pred)
    y_true = as_on_device(y_true, y_pred)
    return _in_top_k(y_true.argmax(dim=-1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the integer label is among the `k` highest scores, per sample."""
    y_pred = as_float_tensor(y_pred)
    return _in_top_k(_sparse_labels(y_true, y_pred), y_pred, k)


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often `y_pred > threshold` matches 0/1 labels.

    Example:
        >>> m = BinaryAccuracy()
        >>> m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
        >>> float(m.result())
        0.75
    """

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class (arg-max) matches the one-hot label."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class (arg-max) matches the integer label."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the `k` highest scores."""

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the `k` highest scores."""

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None):
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
