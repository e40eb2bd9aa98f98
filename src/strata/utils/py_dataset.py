"""PyDataset (Keras's `keras.utils.PyDataset`, alias `Sequence`): batches by index, for fit.

A subclass defines `__len__` (batches per epoch) and `__getitem__(index)` (one batch: `x`,
`(x, y)` or `(x, y, sample_weight)`), and may define `on_epoch_end`. `fit`, `evaluate` and
`predict` take it like an array; with `workers > 1` batches are built ahead in threads, in order.
"""

from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor

from strata.backend import arguments


class PyDataset:
    """Base class for datasets that build each batch from its index.

    Args:
        workers: how many threads build batches ahead of the training step (1: none, the
            batch is built when needed). Threads suit I/O-bound loading (files, decoding
            with Pillow or NumPy, which release the GIL).
        use_multiprocessing: accepted for Keras compatibility; strata builds batches in
            threads either way (with a warning when True), so subclasses need not be picklable.
        max_queue_size: how many batches may wait ready (default 10).

    Example:
        >>> import numpy as np
        >>> import strata
        >>> class Squares(strata.utils.PyDataset):
        ...     def __init__(self, **kwargs):
        ...         super().__init__(**kwargs)
        ...         self.x = np.arange(10, dtype="float32")[:, None]
        ...     def __len__(self):
        ...         return 5
        ...     def __getitem__(self, index):
        ...         rows = self.x[2 * index : 2 * index + 2]
        ...         return rows, rows**2
        >>> model = strata.Sequential([strata.Input((1,)), strata.layers.Dense(1)])
        >>> model.compile("sgd", "mse")
        >>> len(model.fit(Squares(), epochs=2, verbose=0).history["loss"])
        2
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self._workers = arguments.integer("PyDataset", "workers", workers)
        self._max_queue_size = arguments.integer("PyDataset", "max_queue_size", max_queue_size)
        self._use_multiprocessing = bool(use_multiprocessing)
        if self._use_multiprocessing:
            warnings.warn(
                "PyDataset(use_multiprocessing=True): strata builds batches in worker threads, "
                "not processes.",
                stacklevel=2,
            )

    @property
    def workers(self) -> int:
        return getattr(self, "_workers", 1)

    @property
    def max_queue_size(self) -> int:
        return getattr(self, "_max_queue_size", 10)

    @property
    def use_multiprocessing(self) -> bool:
        return getattr(self, "_use_multiprocessing", False)

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index).")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__().")

    @property
    def num_batches(self):
        """Batches per epoch (`len(self)`)."""
        return len(self)

    def on_epoch_start(self):
        """Called before each pass over the batches."""

    def on_epoch_end(self):
        """Called after each complete pass over the batches (shuffle here, as in Keras)."""

    def __iter__(self):
        self.on_epoch_start()
        count = self.num_batches
        if self.workers <= 1:
            for index in range(count):
                yield self[index]
        else:
            yield from self._prefetched(count)
        self.on_epoch_end()

    def _prefetched(self, count):
        # Keep at most max_queue_size batches submitted ahead; yield them in index order.
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            pending = []
            submitted = 0
            for _ in range(count):
                while submitted < count and len(pending) < self.max_queue_size:
                    pending.append(pool.submit(self.__getitem__, submitted))
                    submitted += 1
                yield pending.pop(0).result()


Sequence = PyDataset
