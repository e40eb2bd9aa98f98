"""What `adapt` accepts: arrays, lists, tensors, PyTorch datasets and loaders, generators."""

from __future__ import annotations

import numpy as np
import torch


def _to_numpy(batch):
    if isinstance(batch, (tuple, list)) and batch and _is_batch(batch[0]):
        batch = batch[0]  # (x, y) or (x, y, sample_weight) pairs: the features
    if isinstance(batch, dict):
        raise ValueError("adapt expected batches of arrays; received a dict of features.")
    if isinstance(batch, torch.Tensor):
        return batch.detach().cpu().numpy()
    return np.asarray(batch)


def _is_batch(value):
    return isinstance(value, (np.ndarray, torch.Tensor, list))


def batches(data, steps=None):
    """Numpy batches of `data`; one batch when `data` is itself an array, tensor or list.

    Args:
        data: a NumPy array, a tensor, a (nested) list of values, a list of array batches,
            a `torch.utils.data.Dataset` of samples (batched here), or any iterable of
            batches (a `DataLoader`, a generator); batches may be `(x, y)` tuples, of which
            `x` is used.
        steps: at most this many batches of an iterable.
    """
    if isinstance(data, (list, tuple)) and data and isinstance(data[0], (np.ndarray, torch.Tensor)):
        data = iter(data)  # a list of arrays is a list of batches, as in Keras
    elif isinstance(data, (np.ndarray, torch.Tensor, list, tuple, str, bytes)):
        yield _to_numpy(data) if not isinstance(data, (str, bytes)) else np.asarray([data])
        return
    if isinstance(data, torch.utils.data.Dataset) and hasattr(data, "__len__"):
        data = torch.utils.data.DataLoader(data, batch_size=256)
    if not hasattr(data, "__iter__"):
        raise ValueError(
            "adapt expected a NumPy array, a tensor, a list, a PyTorch dataset or an iterable of "
            f"batches; received {type(data).__name__}."
        )
    count = 0
    for batch in data:
        if steps is not None and count >= steps:
            break
        yield _to_numpy(batch)
        count += 1
    if count == 0:
        raise ValueError("adapt received an empty iterable; expected at least one batch.")
