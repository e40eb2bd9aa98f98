"""BatchDataset: what strata's `*_dataset_from_*` functions return in place of a tf.data.Dataset.

An epoch-reusable sequence of batches, built lazily from an index (so images are read when
their batch is needed), that `fit`, `evaluate` and `predict` take directly. It carries the
attributes Keras programs read (`class_names`, `file_paths`) and the handful of tf.data
methods the guides call on such datasets (`take`, `map`, `cache`, `prefetch`, `batch` sizes
through `unbatch`-free use), each doing what its name says.
"""

from __future__ import annotations

from strata.utils.py_dataset import PyDataset


class BatchDataset(PyDataset):
    """Batches `make_batch(0) ... make_batch(num_batches - 1)`, in that order, every epoch.

    Args:
        make_batch: a function of the batch index returning `x` or `(x, y)`.
        num_batches: batches per epoch.
        class_names: label names, for datasets made from a folder of class sub-folders.
        file_paths: the files behind the samples, in the order they are batched.
        reshuffle: a function called after each epoch (to draw the next epoch's order).
    """

    def __init__(self, make_batch, num_batches, class_names=None, file_paths=None, reshuffle=None):
        super().__init__()
        self._make_batch = make_batch
        self._num_batches = int(num_batches)
        self.class_names = class_names
        self.file_paths = file_paths
        self._reshuffle = reshuffle

    def __len__(self):
        return self._num_batches

    def __getitem__(self, index):
        if not 0 <= index < self._num_batches:
            raise IndexError(f"batch index {index} out of range for {self._num_batches} batches.")
        return self._make_batch(index)

    def on_epoch_end(self):
        if self._reshuffle is not None:
            self._reshuffle()

    def take(self, count):
        """The first `count` batches (all when `count` is -1), as a new BatchDataset."""
        count = self._num_batches if count == -1 else min(int(count), self._num_batches)
        return BatchDataset(self.__getitem__, count, self.class_names, self.file_paths)

    def map(self, function):
        """Batches passed through `function` (called with the batch's parts, as tf.data does)."""

        def mapped(index):
            batch = self[index]
            return function(*batch) if isinstance(batch, tuple) else function(batch)

        return BatchDataset(
            mapped, self._num_batches, self.class_names, self.file_paths, self._reshuffle
        )

    def cache(self, filename=""):
        """Batches kept in memory after they are first built (a file cache is not supported)."""
        if filename:
            raise ValueError(
                f"BatchDataset.cache expected no filename (an in-memory cache); received "
                f"{filename!r}."
            )
        store = {}

        def cached(index):
            if index not in store:
                store[index] = self[index]
            return store[index]

        return BatchDataset(cached, self._num_batches, self.class_names, self.file_paths)

    def prefetch(self, buffer_size=None):
        """Batches built ahead in a background thread while the model trains."""
        ahead = BatchDataset(
            self.__getitem__, self._num_batches, self.class_names, self.file_paths, self._reshuffle
        )
        ahead._workers = 2
        if isinstance(buffer_size, int) and buffer_size > 0:
            ahead._max_queue_size = buffer_size
        return ahead

    def __repr__(self):
        return f"BatchDataset(num_batches={self._num_batches})"
