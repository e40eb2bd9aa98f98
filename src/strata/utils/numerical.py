"""Label encoding and vector normalization helpers."""

from __future__ import annotations

import numpy as np
import torch

from strata import backend


def to_categorical(y, num_classes=None):
    """Turns integer class labels into one-hot rows.

    Labels may have any shape. A trailing dimension of size 1 (as in a column of labels of
    shape `(n, 1)`) is dropped before the class axis is appended, so `(n, 1)` gives
    `(n, num_classes)` rather than `(n, 1, num_classes)`.

    Args:
        y: Integer labels from `0` to `num_classes - 1`: a list, a NumPy array or a
            `torch.Tensor`. Floats are accepted when they hold whole numbers.
        num_classes: Number of classes. When `None` (or 0), it is `max(y) + 1`.

    Returns:
        A float32 array of shape `y.shape + (num_classes,)` (trailing 1 dropped). A
        `torch.Tensor` input gives a `torch.Tensor` on the same device; anything else gives
        a NumPy array.

    Raises:
        ValueError: When a label is negative, not a whole number, or not below `num_classes`.

    Example:
        >>> to_categorical([0, 2, 1])
        array([[1., 0., 0.],
               [0., 0., 1.],
               [0., 1., 0.]], dtype=float32)
        >>> to_categorical([[1], [0]], num_classes=2).shape
        (2, 2)
    """
    as_tensor = isinstance(y, torch.Tensor)
    target_device = y.device if as_tensor else None
    labels = backend.convert_to_numpy(y) if as_tensor else np.asarray(y)
    if labels.dtype.kind == "f":
        if not np.all(np.isfinite(labels)) or np.any(labels != np.round(labels)):
            raise ValueError(
                "to_categorical expected integer class labels; received non-integer values "
                f"(for example {labels[labels != np.round(labels)].ravel()[:3].tolist()})."
            )
    elif labels.dtype.kind not in "iub":
        raise ValueError(
            f"to_categorical expected integer class labels; received dtype {labels.dtype}."
        )
    labels = labels.astype(np.int64)
    shape = labels.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    flat = labels.reshape(-1)
    if not num_classes:
        if flat.size == 0:
            raise ValueError(
                "to_categorical cannot infer num_classes from empty labels; pass num_classes."
            )
        num_classes = int(flat.max()) + 1
    num_classes = int(num_classes)
    if flat.size and (flat.min() < 0 or flat.max() >= num_classes):
        raise ValueError(
            f"to_categorical expected labels in the range [0, {num_classes - 1}] "
            f"(num_classes={num_classes}); received labels from {int(flat.min())} "
            f"to {int(flat.max())}."
        )
    one_hot = np.zeros((flat.size, num_classes), dtype=np.float32)
    one_hot[np.arange(flat.size), flat] = 1.0
    one_hot = one_hot.reshape(tuple(shape) + (num_classes,))
    if as_tensor:
        return torch.from_numpy(one_hot).to(target_device)
    return one_hot


def normalize(x, axis=-1, order=2):
    """Scales vectors along an axis to unit norm.

    Vectors whose norm is zero are left as they are (for arrays) or divided by
    `strata.backend.epsilon()` (for tensors), so no NaN appears.

    Args:
        x: A NumPy array (or anything `np.asarray` accepts) or a `torch.Tensor`.
        axis: The axis along which the norm is taken.
        order: The norm's order (2 for the Euclidean norm, 1 for the sum of magnitudes).

    Returns:
        An array (or tensor, for a tensor input) of the same shape as `x`.

    Example:
        >>> normalize(np.array([[3.0, 4.0], [0.0, 0.0]]))
        array([[0.6, 0.8],
               [0. , 0. ]])
        >>> normalize(np.array([1.0, 3.0]), order=1)
        array([0.25, 0.75])
    """
    if isinstance(x, torch.Tensor):
        norm = torch.linalg.vector_norm(x, ord=order, dim=axis, keepdim=True)
        return x / norm.clamp_min(backend.epsilon())
    array = np.asarray(x)
    norm = np.linalg.norm(array, ord=order, axis=axis, keepdims=True)
    norm = np.where(norm == 0, 1, norm)
    return array / norm
