"""ModelCheckpoint: save the model (or its weights) during training."""

from __future__ import annotations

import os
import warnings

from strata.backend import arguments
from strata.callbacks import _monitor
from strata.callbacks.callback import Callback
from strata.utils.file_io import remove_stale_temporaries_in


class ModelCheckpoint(Callback):
    """Saves the model or its weights at the end of every epoch or every `save_freq` batches.

    Files are written with `model.save` / `model.save_weights`, which write atomically (a
    temporary file in the same folder, fsync, rename): a crash never leaves a partial file in
    place of a good one.

    Args:
        filepath: where to save; may hold `str.format` fields filled from `epoch` (1-based, as
            in Keras), `batch` (with an integer `save_freq`) and the log values, for example
            `"weights.{epoch:02d}-{val_loss:.2f}.keras"`.
        monitor: the log key compared when `save_best_only` is True.
        verbose: 1 prints a line for each save (and each skipped save).
        save_best_only: save only when `monitor` improves on the best value so far (so the
            file, with a fixed `filepath`, always holds the best model).
        save_weights_only: `model.save_weights(filepath)` instead of `model.save(filepath)`.
        mode: `"min"`, `"max"` or `"auto"` (inferred from the metric's name).
        save_freq: `"epoch"`, or an integer: save after every that many batches.
        initial_value_threshold: with `save_best_only`, the value the first save must beat.

    Example:
        >>> import strata
        >>> checkpoint = strata.callbacks.ModelCheckpoint(
        ...     "my_model.h5", monitor="val_loss", save_best_only=True)
    """

    # Its effects are output only: in a data-parallel run the first process alone runs it.
    _chief_only = True
    _only_reports = True

    def __init__(
        self,
        filepath,
        monitor="val_loss",
        verbose=0,
        save_best_only=False,
        save_weights_only=False,
        mode="auto",
        save_freq="epoch",
        initial_value_threshold=None,
    ):
        super().__init__()
        arguments.frequency("ModelCheckpoint", "save_freq", save_freq)
        arguments.verbosity("ModelCheckpoint", verbose)
        if initial_value_threshold is not None:
            arguments.number("ModelCheckpoint", "initial_value_threshold", initial_value_threshold)
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.mode = _monitor.resolve_mode(mode, monitor, "ModelCheckpoint")
        self.save_freq = save_freq
        self.initial_value_threshold = initial_value_threshold
        self.best = (
            float(initial_value_threshold)
            if initial_value_threshold is not None
            else _monitor.worst_value(self.mode)
        )
        self._current_epoch = 0
        self._batches_since_save = 0
        self._last_batch = -1

    def on_train_begin(self, logs=None):
        # Checkpoints named per epoch are never written twice: a save killed mid-way in an
        # earlier run is cleared here rather than at the next save to its own name.
        remove_stale_temporaries_in(os.path.dirname(os.path.abspath(self.filepath)))

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        # A batch index that does not grow means a new epoch started.
        new_epoch = batch <= self._last_batch
        self._batches_since_save += batch + 1 if new_epoch else batch - self._last_batch
        self._last_batch = batch
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _file_path(self, epoch, batch, logs) -> str:
        values = dict(logs or {})
        try:
            if batch is None or "batch" in values:
                return self.filepath.format(epoch=epoch + 1, **values)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **values)
        except (KeyError, IndexError, ValueError) as error:
            raise KeyError(
                f'ModelCheckpoint could not format the filepath "{self.filepath}": {error!r}; '
                f"expected fields among epoch, batch and the log keys {sorted(values)}."
            ) from error

    def _save(self, epoch, batch, logs):
        logs = dict(logs or {})
        filepath = self._file_path(epoch, batch, logs)
        folder = os.path.dirname(filepath)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                warnings.warn(
                    f"ModelCheckpoint can save the best model only when '{self.monitor}' is "
                    f"in the logs (available: {', '.join(sorted(logs)) or 'none'}); skipping.",
                    stacklevel=2,
                )
                return
            current = float(current)
            if not _monitor.improved(self.mode, current, self.best):
                if self.verbose > 0:
                    print(
                        f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}"
                    )
                return
            if self.verbose > 0:
                print(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to "
                    f"{current:.5f}, saving model to {filepath}"
                )
            self.best = current
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: saving model to {filepath}")
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)

    def state_dict(self):
        return {
            "best": self.best,
            "batches_since_save": self._batches_since_save,
            "last_batch": self._last_batch,
        }

    def load_state_dict(self, state):
        self.best = float(state["best"])
        self._batches_since_save = int(state["batches_since_save"])
        self._last_batch = int(state["last_batch"])
