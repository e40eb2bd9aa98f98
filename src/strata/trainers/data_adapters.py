"""Data adapters: arrays, generators, torch Datasets and DataLoaders as batches on the device.

In-memory arrays become tensors on the model's device once, before the first epoch; a batch is
then an index selection of them (DESIGN.md). Every adapter yields `(x_list, y_list, weights)`
with x and y flattened in the model's input and output order.
"""

from __future__ import annotations

import math
import types

import numpy as np
import torch

from strata.backend import config as backend_config
from strata.backend.conversion import convert_to_tensor


def is_array(value) -> bool:
    return (
        isinstance(value, (np.ndarray, torch.Tensor))
        or (
            isinstance(value, (list, tuple))
            and len(value) > 0
            and all(isinstance(v, (np.ndarray, torch.Tensor)) for v in value)
        )
        or (
            isinstance(value, dict)
            and all(isinstance(v, (np.ndarray, torch.Tensor)) for v in value.values())
        )
    )


def check_data_source(value, name) -> None:
    """Refuse what can be neither arrays nor an iterable of batches (None, a string, a number)."""
    if is_array(value):
        return
    iterable = hasattr(value, "__iter__") or hasattr(value, "__getitem__")  # map-style Datasets
    if value is None or isinstance(value, (str, bytes, int, float, bool)) or not iterable:
        raise ValueError(
            f"{name} expected data: NumPy arrays or tensors (or lists/dicts of them, or nested "
            "lists of numbers), a torch Dataset or DataLoader, or a generator of batches; "
            f"received {type(value).__name__} {value!r:.60}."
        )


def check_has_rows(tensor, owner) -> None:
    """Refuse data without a single row (an empty array, or a scalar)."""
    if tensor.dim() == 0 or tensor.shape[0] == 0:
        raise ValueError(
            f"{owner} expected data with at least one row; received an input of shape "
            f"{tuple(tensor.shape)}."
        )


def python_lists_as_arrays(value, name):
    """Nested Python lists of numbers (`X.tolist()`) become a NumPy array, as Keras accepts.

    A list of arrays (several inputs) and everything else pass through unchanged; ragged
    lists are refused with what was expected.
    """
    if not isinstance(value, (list, tuple)) or not value or is_array(value):
        return value
    if not all(_is_number_list(item) for item in value):
        return value
    try:
        array = np.asarray(value)
    except ValueError:  # NumPy refuses ragged nesting
        array = np.empty(0, dtype=object)
    if array.dtype == object:
        lengths = sorted({len(v) for v in value if hasattr(v, "__len__")})
        raise ValueError(
            f"{name} expected an array, or nested lists of numbers of one shape; received "
            f"ragged lists (rows of lengths {lengths})."
        )
    return array.astype(np.float32) if array.dtype == np.float64 else array


def _is_number_list(item) -> bool:
    if isinstance(item, (bool, int, float, np.number)):
        return True
    return isinstance(item, (list, tuple)) and all(_is_number_list(v) for v in item[:4])


def num_rows(value) -> int:
    return int(value.shape[0])


# Shuffled data up to this size are gathered once per pass (batches are then views).
WHOLE_PASS_BYTES = 64 * 2**20


class ArrayAdapter:
    """Batches of in-memory arrays already flattened in input/output order.

    Args:
        xs, ys: lists of tensors (already on the device), one per input / output.
        weights: per-sample weights tensor or None.
        batch_size: rows per batch.
        shuffle: True (rows), "batch" (batch order only) or False.
        steps: batches per epoch (None: one pass over the data).
    """

    def __init__(self, xs, ys, weights, batch_size, shuffle=False, steps=None):
        self.xs, self.ys, self.weights = xs, ys, weights
        # Set by fit when nothing but the built-in step sees a batch: shuffled batches are then
        # gathered into the same buffers every step instead of fresh tensors. Large batches
        # (IMDB's 512 x 10,000 floats) otherwise cost page faults on every allocation.
        self.reuse_buffers = False
        self._buffers = {}
        self.size = num_rows(xs[0])
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.batches_per_pass = math.ceil(self.size / self.batch_size)
        self.steps = steps or self.batches_per_pass
        self._cursor = 0  # where the next epoch starts when steps cut passes short

    @property
    def num_batches(self) -> int:
        return self.steps

    def _pass_order(self, generator=None):
        if self.shuffle is not True:
            return None
        if generator is None:
            return torch.randperm(self.size, device=self.xs[0].device)
        return torch.randperm(self.size, generator=generator)

    def _planned_batches(self, generator=None):
        """(row order or None, first row, whether it starts a pass) of each batch of an epoch.

        An epoch is one pass, or `steps` batches; a pass cut short by `steps` goes on where it
        stopped in the next epoch. `generator` draws the shuffles (the global random state
        when None).
        """
        produced = 0
        while produced < self.steps:
            order = self._pass_order(generator)
            starts = list(range(0, self.size, self.batch_size))
            if self.shuffle == "batch":
                permutation = torch.randperm(len(starts), generator=generator).tolist()
                starts = [starts[i] for i in permutation]
            offset, self._cursor = self._cursor, 0
            for index in range(offset, len(starts)):
                yield order, starts[index], index == offset
                produced += 1
                if produced == self.steps:
                    if index + 1 < len(starts):
                        self._cursor = index + 1
                    return

    def __iter__(self):
        arrays = None
        for order, start, new_pass in self._planned_batches():
            if new_pass:
                arrays = self._whole_pass(order)
            yield self._batch(arrays, order, start)

    def global_batch_rows(self, generator):
        """The row indices (a CPU tensor) of each batch of an epoch, shuffled by `generator`:
        what a data-parallel run splits between its processes."""
        for order, start, _ in self._planned_batches(generator):
            stop = min(start + self.batch_size, self.size)
            yield order[start:stop] if order is not None else torch.arange(start, stop)

    def rows_batch(self, rows):
        """The batch made of the given rows (a tensor of indices)."""
        return self._split(
            [torch.index_select(a, 0, rows.to(a.device)) for a in self._all_arrays()]
        )

    def _split(self, arrays):
        """`(xs, ys, weights)` from arrays laid out as `_all_arrays` lays them out."""
        xs = arrays[: len(self.xs)]
        ys = arrays[len(self.xs) : len(self.xs) + len(self.ys)]
        return xs, ys, (arrays[-1] if self.weights is not None else None)

    def _all_arrays(self):
        return [*self.xs, *self.ys, *([] if self.weights is None else [self.weights])]

    def _whole_pass(self, order):
        """The arrays of one pass when batches can be views of them, else None.

        Unshuffled data are sliced as they are. Shuffled data that are small (under
        `WHOLE_PASS_BYTES`) are gathered once per pass, so every batch is a view: one large
        gather instead of a small one per batch and array. Large data are gathered per batch.
        """
        arrays = self._all_arrays()
        if order is None:
            return arrays
        if sum(a.numel() * a.element_size() for a in arrays) > WHOLE_PASS_BYTES:
            return None
        return [self._gather(a, order, rows_in_buffer=self.size) for a in arrays]

    def _batch(self, arrays, order, start):
        stop = start + self.batch_size
        if arrays is None:
            rows = order[start:stop]
            arrays = [self._gather(a, rows) for a in self._all_arrays()]
        else:
            arrays = [a[start:stop] for a in arrays]
        return self._split(arrays)

    def _gather(self, source, rows, rows_in_buffer=None):
        if not self.reuse_buffers:
            return torch.index_select(source, 0, rows)
        capacity = rows_in_buffer or self.batch_size
        key = (id(source), capacity)
        buffer = self._buffers.get(key)
        if buffer is None:
            buffer = source.new_empty((capacity, *source.shape[1:]))
            self._buffers[key] = buffer
        return torch.index_select(source, 0, rows, out=buffer[: rows.shape[0]])


class IterableAdapter:
    """Batches from a Python generator, a torch DataLoader or any iterable of batches.

    Each element is `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`; x and y may be arrays,
    tensors, lists or dicts. `prepare(batch)` (given by the trainer) flattens and checks them.
    """

    def __init__(self, source, prepare, steps=None, dataset=None, batch_size=None, shuffle=False):
        self.source = source
        self.prepare = prepare
        self.steps = steps
        # The map-style Dataset behind `source` when strata made the loader: a data-parallel
        # run makes its own loader of it, with a sampler that shards it.
        self.dataset, self.batch_size, self.shuffle = dataset, batch_size, shuffle
        self._iterator = None
        self._reusable = not isinstance(source, types.GeneratorType) and not (
            hasattr(source, "__next__") and iter(source) is source
        )

    @property
    def num_batches(self):
        if self.steps is not None:
            return self.steps
        try:
            return len(self.source)
        except TypeError:
            return None

    def __iter__(self):
        if self._reusable and self.steps is None:
            for batch in self.source:
                yield self.prepare(batch)
            return
        produced = 0
        while self.steps is None or produced < self.steps:
            if self._iterator is None:
                self._iterator = iter(self.source)
            try:
                batch = next(self._iterator)
            except StopIteration:
                self._iterator = None
                if not self._reusable or produced == 0:
                    if produced == 0 and self.steps is not None:
                        raise ValueError(
                            "The data generator ran out: expected "
                            f"{self.steps} batches per epoch (steps_per_epoch); received none. "
                            "Make the generator loop forever, or lower steps_per_epoch."
                        ) from None
                    return
                if self.steps is None:
                    return
                continue
            yield self.prepare(batch)
            produced += 1


def unpack_batch(batch):
    """`(x, y, sample_weight)` from the forms Keras accepts for one batch."""
    if isinstance(batch, (list, tuple)):
        if len(batch) == 1:
            return batch[0], None, None
        if len(batch) == 2:
            return batch[0], batch[1], None
        if len(batch) == 3:
            return batch[0], batch[1], batch[2]
        raise ValueError(
            "A data batch expected x, (x,), (x, y) or (x, y, sample_weight); received a "
            f"{type(batch).__name__} of {len(batch)} elements."
        )
    return batch, None, None


def to_device(value):
    if value is None:
        return None
    tensor = convert_to_tensor(value)
    return tensor.to(backend_config.device(), non_blocking=True)


def wrap_dataset(dataset, batch_size, shuffle):
    """A torch Dataset becomes a DataLoader; DataLoaders and other iterables pass through."""
    from torch.utils.data import DataLoader, Dataset, IterableDataset

    if isinstance(dataset, Dataset) and not isinstance(dataset, IterableDataset):
        return DataLoader(dataset, batch_size=batch_size, shuffle=bool(shuffle))
    if isinstance(dataset, IterableDataset):
        return DataLoader(dataset, batch_size=batch_size)
    return dataset


def split_for_validation(arrays, validation_split):
    """Keras's validation_split: the last fraction of the rows, taken before any shuffling."""
    if not 0.0 < validation_split < 1.0:
        raise ValueError(
            "validation_split expected a float strictly between 0 and 1; "
            f"received {validation_split}."
        )
    size = num_rows(arrays[0])
    cut = int(size * (1.0 - validation_split))
    if cut == 0 or cut == size:
        raise ValueError(
            f"validation_split={validation_split} leaves no rows for "
            f"{'training' if cut == 0 else 'validation'} out of {size}."
        )
    train = [None if a is None else a[:cut] for a in arrays]
    valid = [None if a is None else a[cut:] for a in arrays]
    return train, valid
