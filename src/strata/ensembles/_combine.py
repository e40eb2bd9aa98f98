"""Combining member predictions, losses on them, and fingerprints of data rows."""

from __future__ import annotations

import hashlib

import numpy as np

METHODS = ("mean", "geometric", "vote")
EPS = 1e-7


def combine(predictions, weights, method):
    """Weighted combination of stacked member predictions `(members, n, *out)`.

    `mean`: weighted arithmetic mean. `geometric`: weighted mean of log-probabilities, then
    exponentiated and renormalized per row (a single sigmoid column counts as two classes).
    `vote`: weighted share of the members' argmax votes per class (for one sigmoid column,
    the weighted share of members predicting above 0.5).
    """
    w = np.asarray(weights, dtype=np.float64)
    p = np.asarray(predictions, dtype=np.float64)
    if method == "mean":
        return np.tensordot(w, p, axes=1)
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; received {method!r}.")
    if p.ndim < 3:
        raise ValueError(
            f"method={method!r} needs rows of class probabilities (n, classes); the members "
            f"returned shape {p.shape[1:]}."
        )
    binary = p.shape[-1] == 1
    if binary:  # a sigmoid column: its two classes are 1 - p and p
        p = np.concatenate([1.0 - p, p], axis=-1)
    if method == "geometric":
        logs = np.tensordot(w, np.log(np.clip(p, EPS, 1.0)), axes=1)
        logs -= logs.max(axis=-1, keepdims=True)  # stable exponentiation
        out = np.exp(logs)
        out /= out.sum(axis=-1, keepdims=True)
    else:
        votes = np.eye(p.shape[-1])[p.argmax(axis=-1)]  # (members, n, ..., classes) one-hot
        out = np.tensordot(w, votes, axes=1)
    return out[..., 1:] if binary else out


def detect_task(y, pred):
    """`"multiclass"`, `"binary"` or `"regression"` from the targets and the predictions.

    Classification when predictions are rows of probabilities: several non-negative columns
    summing to one per row (multiclass), or one column in [0, 1] with 0/1 targets (binary).
    """
    y = np.asarray(y)
    rows = pred.reshape(len(pred), -1) if pred.ndim > 1 else pred.reshape(-1, 1)
    in_unit = bool(np.all(rows >= -1e-6) and np.all(rows <= 1 + 1e-6))
    if pred.ndim == 2 and pred.shape[1] > 1 and in_unit:
        if np.allclose(rows.sum(axis=1), 1.0, atol=1e-3):
            return "multiclass"
    if rows.shape[1] == 1 and in_unit and np.isin(np.unique(y), (0, 1)).all():
        return "binary"
    return "regression"


def _class_index(y, pred):
    y = np.asarray(y)
    if y.ndim == pred.ndim and y.shape == pred.shape:  # one-hot targets
        return y.argmax(axis=-1)
    return y.reshape(len(y)).astype(np.int64)


def p_true(y, pred, task):
    """The probability each row gives its true class."""
    if task == "binary":
        yv = np.asarray(y, dtype=np.float64).reshape(len(pred))
        p = pred.reshape(len(pred))
        return np.where(yv > 0.5, p, 1.0 - p)
    index = _class_index(y, pred)
    if index.min() < 0 or index.max() >= pred.shape[1]:
        raise ValueError(
            f"Class labels must lie in [0, {pred.shape[1]}) for predictions of shape "
            f"{pred.shape}; received labels from {index.min()} to {index.max()}."
        )
    return pred[np.arange(len(pred)), index]


def row_errors(y, pred, task):
    """Per-row errors used for diversity: 1 - p(true class), or the mean residual."""
    if task == "regression":
        residual = pred - np.asarray(y, dtype=np.float64).reshape(pred.shape)
        return residual.reshape(len(pred), -1).mean(axis=1)
    return 1.0 - p_true(y, pred, task)


def loss_value(y, pred, task):
    """Log-loss (classification) or mean squared error (regression)."""
    if task == "regression":
        return float(np.mean((pred - np.asarray(y, dtype=np.float64).reshape(pred.shape)) ** 2))
    return float(-np.mean(np.log(np.clip(p_true(y, pred, task), EPS, 1.0))))


def accuracy(y, pred, task):
    if task == "binary":
        yv = np.asarray(y).reshape(len(pred)) > 0.5
        return float(np.mean((pred.reshape(len(pred)) > 0.5) == yv))
    return float(np.mean(pred.argmax(axis=1) == _class_index(y, pred)))


def mae(y, pred):
    return float(np.mean(np.abs(pred - np.asarray(y, dtype=np.float64).reshape(pred.shape))))


def scores(y, pred, task):
    """The report's columns: accuracy and log-loss, or mse and mae."""
    if task == "regression":
        return {"mse": loss_value(y, pred, task), "mae": mae(y, pred)}
    return {"accuracy": accuracy(y, pred, task), "log_loss": loss_value(y, pred, task)}


def error_correlation(errors):
    """Pearson correlation between members' per-row errors `(members, n)`; NaN when constant."""
    errors = np.asarray(errors, dtype=np.float64)
    centered = errors - errors.mean(axis=1, keepdims=True)
    norms = np.sqrt((centered**2).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return (centered @ centered.T) / np.outer(norms, norms)


def _row_bytes(x):
    if isinstance(x, dict):
        parts = [_row_bytes(x[key]) for key in sorted(x)]
        return [b"".join(row) for row in zip(*parts)]
    if isinstance(x, (list, tuple)) and x and hasattr(x[0], "shape") and np.ndim(x[0]) > 0:
        if len({len(part) for part in x}) == 1 and not np.isscalar(x[0][0]):
            parts = [_row_bytes(part) for part in x]
            return [b"".join(row) for row in zip(*parts)]
    array = np.ascontiguousarray(np.asarray(x))
    return [array[i].tobytes() for i in range(len(array))]


def row_hashes(x):
    """64-bit hashes of every row of `x` (arrays, or dicts/lists of arrays row-aligned)."""
    return np.array(
        [
            int.from_bytes(hashlib.blake2b(row, digest_size=8).digest(), "little")
            for row in _row_bytes(x)
        ],
        dtype=np.uint64,
    )


def overlap(hashes, reference):
    """How many rows hashed in `hashes` also occur in `reference`."""
    if hashes is None or reference is None:
        return 0
    return int(np.isin(hashes, reference).sum())
