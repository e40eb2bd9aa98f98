"""Per-sample loss functions: `fn(y_true, y_pred) -> one value per sample`, Keras 3's formulas.

Each reduces the last axis (the features or classes of a sample), so a `(batch, d)` input gives
`(batch,)`. Inputs may be tensors, arrays or lists; the result lives on `y_pred`'s device.
"""

import math

import torch
import torch.nn.functional as F

from strata import backend
from strata.losses.loss import (
    as_float_tensor,
    as_like,
    as_on_device,
    squeeze_or_expand_to_same_rank,
)

_LOG2 = math.log(2.0)


def _pair(y_true, y_pred):
    y_pred = as_float_tensor(y_pred)
    y_true = as_like(y_true, y_pred)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def mean_squared_error(y_true, y_pred):
    """Mean of `(y_true - y_pred) ** 2` over the last axis.

    Example:
        >>> float(mean_squared_error([[0.0, 1.0]], [[1.0, 1.0]])[0])
        0.5
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return (y_pred - y_true).square().mean(dim=-1)


def mean_absolute_error(y_true, y_pred):
    """Mean of `|y_true - y_pred|` over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    return (y_pred - y_true).abs().mean(dim=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """`100 * mean(|y_true - y_pred| / max(|y_true|, epsilon))` over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    diff = (y_true - y_pred) / y_true.abs().clamp_min(backend.epsilon())
    return 100.0 * diff.abs().mean(dim=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """Mean of `(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)) ** 2` over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    eps = backend.epsilon()
    first = torch.log1p(y_pred.clamp_min(eps))
    second = torch.log1p(y_true.clamp_min(eps))
    return (first - second).square().mean(dim=-1)


def huber(y_true, y_pred, delta=1.0):
    """Huber loss: `0.5 e**2` where `|e| <= delta`, else `delta * (|e| - 0.5 delta)`; mean over
    the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    return F.huber_loss(y_pred, y_true, reduction="none", delta=float(delta)).mean(dim=-1)


def log_cosh(y_true, y_pred):
    """Mean of `log(cosh(y_pred - y_true))` over the last axis, computed without overflow."""
    y_true, y_pred = _pair(y_true, y_pred)
    x = y_pred - y_true
    return (x + F.softplus(-2.0 * x) - _LOG2).mean(dim=-1)


def kl_divergence(y_true, y_pred):
    """`sum(y_true * log(y_true / y_pred))` over the last axis, both clipped to [eps, 1]."""
    y_true, y_pred = _pair(y_true, y_pred)
    eps = backend.epsilon()
    y_true = y_true.clamp(eps, 1.0)
    y_pred = y_pred.clamp(eps, 1.0)
    return (y_true * torch.log(y_true / y_pred)).sum(dim=-1)


def poisson(y_true, y_pred):
    """Mean of `y_pred - y_true * log(y_pred + eps)` over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    return (y_pred - y_true * torch.log(y_pred + backend.epsilon())).mean(dim=-1)


def _hinge_labels(y_true):
    # 0/1 labels become -1/1; any other labelling passes through. A `where` instead of a
    # Python branch keeps the decision on the device (no host synchronisation).
    is_binary = ((y_true == 0) | (y_true == 1)).all()
    return torch.where(is_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred):
    """Mean of `max(1 - y_true * y_pred, 0)` over the last axis (0/1 labels become -1/1)."""
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _hinge_labels(y_true)
    return torch.relu(1.0 - y_true * y_pred).mean(dim=-1)


def squared_hinge(y_true, y_pred):
    """Mean of `max(1 - y_true * y_pred, 0) ** 2` over the last axis (0/1 labels become -1/1)."""
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _hinge_labels(y_true)
    return torch.relu(1.0 - y_true * y_pred).square().mean(dim=-1)


def categorical_hinge(y_true, y_pred):
    """`max(neg - pos + 1, 0)` with `pos = sum(y_true * y_pred)`, `neg = max((1 - y_true) *
    y_pred)` over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    pos = (y_true * y_pred).sum(dim=-1)
    neg = ((1.0 - y_true) * y_pred).amax(dim=-1)
    return torch.relu(neg - pos + 1.0)


def cosine_similarity(y_true, y_pred, axis=-1):
    """Negative cosine similarity along `axis` (each vector divided by max(its norm, eps))."""
    y_true, y_pred = _pair(y_true, y_pred)
    eps = backend.epsilon()
    y_true = y_true / torch.linalg.vector_norm(y_true, dim=axis, keepdim=True).clamp_min(eps)
    y_pred = y_pred / torch.linalg.vector_norm(y_pred, dim=axis, keepdim=True).clamp_min(eps)
    return -(y_true * y_pred).sum(dim=axis)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary crossentropy averaged over `axis`.

    Probabilities are clipped to [eps, 1 - eps]; logits go through
    `binary_cross_entropy_with_logits`. Label smoothing maps `y` to
    `y * (1 - s) + 0.5 * s`.

    Example:
        >>> round(float(binary_crossentropy([[1.0]], [[0.8]])[0]), 4)
        0.2231
    """
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        elementwise = F.binary_cross_entropy_with_logits(y_pred, y_true, reduction="none")
    else:
        eps = backend.epsilon()
        elementwise = F.binary_cross_entropy(y_pred.clamp(eps, 1.0 - eps), y_true, reduction="none")
    return elementwise.mean(dim=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Crossentropy between one-hot (or soft) labels and predictions along `axis`.

    Probabilities are renormalised to sum to one, clipped to [eps, 1 - eps] and logged; logits
    go through `log_softmax`. Label smoothing maps `y` to `y * (1 - s) + s / num_classes`.
    """
    if isinstance(axis, bool):
        raise ValueError(f"categorical_crossentropy expected an integer axis; received {axis!r}.")
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        num_classes = y_true.shape[-1]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    if from_logits:
        log_prob = F.log_softmax(y_pred, dim=axis)
    else:
        eps = backend.epsilon()
        y_pred = y_pred / y_pred.sum(dim=axis, keepdim=True)
        log_prob = torch.log(y_pred.clamp(eps, 1.0 - eps))
    return -(y_true * log_prob).sum(dim=axis)


def _sparse_targets(y_true, y_pred):
    y_true = as_on_device(y_true, y_pred)
    if y_true.dim() == y_pred.dim() and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    if y_true.shape != y_pred.shape[:-1]:
        raise ValueError(
            "sparse_categorical_crossentropy expected labels of shape "
            f"{tuple(y_pred.shape[:-1])} (or with a trailing 1) for predictions of shape "
            f"{tuple(y_pred.shape)}; received labels of shape {tuple(y_true.shape)}."
        )
    return y_true if y_true.dtype == torch.int64 else y_true.long()


def sparse_crossentropy_and_mask(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Per-entry sparse crossentropy and the mask of entries not equal to `ignore_class`."""
    y_pred = as_float_tensor(y_pred)
    if axis not in (-1, y_pred.dim() - 1):
        raise ValueError(
            "sparse_categorical_crossentropy expected the class axis to be the last one; "
            f"received axis={axis} for predictions of rank {y_pred.dim()}."
        )
    target = _sparse_targets(y_true, y_pred)
    num_classes = y_pred.shape[-1]
    flat_target = target.reshape(-1)
    ignore_index = -100 if ignore_class is None else int(ignore_class)
    if from_logits:
        flat = F.cross_entropy(
            y_pred.reshape(-1, num_classes),
            flat_target,
            ignore_index=ignore_index,
            reduction="none",
        )
    else:
        eps = backend.epsilon()
        probs = y_pred / y_pred.sum(dim=-1, keepdim=True)
        log_prob = torch.log(probs.clamp(eps, 1.0 - eps))
        flat = F.nll_loss(
            log_prob.reshape(-1, num_classes),
            flat_target,
            ignore_index=ignore_index,
            reduction="none",
        )
    losses = flat.reshape(target.shape)
    mask = None if ignore_class is None else target != ignore_index
    return losses, mask


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Crossentropy between integer class labels and predictions over the last axis.

    Labels may be int or float, shaped like `y_pred` without its last axis or with a trailing
    1. Entries labelled `ignore_class` give 0.

    Example:
        >>> round(float(sparse_categorical_crossentropy([1], [[0.2, 0.8]])[0]), 4)
        0.2231
    """
    losses, _ = sparse_crossentropy_and_mask(y_true, y_pred, from_logits, ignore_class, axis)
    return losses
