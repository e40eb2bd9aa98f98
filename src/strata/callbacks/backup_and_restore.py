"""BackupAndRestore: resume a run that was interrupted, exactly where its last backup left it."""

from __future__ import annotations

import contextlib
import json
import os
import random

import numpy as np
import torch

from strata.callbacks import _freeze_state
from strata.callbacks.callback import Callback
from strata.distribution.state import barrier, is_chief
from strata.utils.file_io import atomic_write, remove_stale_temporaries

BACKUP_NAME = "backup.safetensors"
_FORMAT = "strata.backup"
_VERSION = 1


class BackupAndRestore(Callback):
    """Backs up the whole training state and restores it when `fit` starts again.

    At the end of every epoch (or every `save_freq` batches) one file,
    `backup_dir/backup.safetensors`, is replaced atomically (temporary file, fsync, rename).
    It holds, as safetensors tensors plus a JSON header (no pickle):

    - the model's weights and buffers (`model.state_dict()`),
    - the optimizer's `state_dict()` (moments, step counts, learning rate, iterations),
    - which layers are frozen and how the optimizer groups the trainable weights (the layers
      `GradualUnfreezing` or any callback unfroze, with their learning-rate multipliers),
    - the index of the last finished epoch,
    - every callback's `state_dict()` (EarlyStopping's `wait` and `best`, ReduceLROnPlateau's
      counters, CSVLogger's rows, the History, ...), matched by class and position,
    - the random states of Python's `random`, NumPy's global generator and torch (CPU and
      every CUDA device), which also fix the next epoch's shuffling order.

    When `fit` starts and a backup exists, all of it is restored after every callback's
    `on_train_begin`, and training continues with the epoch after the backed-up one. With
    `save_freq="epoch"` a run killed at any moment (SIGKILL included) and started again ends
    with the same weights and history as a run never interrupted. With an integer `save_freq`
    the backup taken inside an epoch restarts that epoch from its beginning with the backed-up
    weights: no finished batch is lost for long, but the result is not bit-identical.

    The callback always runs after the other callbacks (CallbackList puts it last), so each
    backup sees their end-of-epoch state.

    Args:
        backup_dir: folder of the backup (created when needed). Use one folder per run.
        save_freq: `"epoch"`, or an integer: back up after every that many batches.
        delete_checkpoint: remove the backup when `fit` finishes normally.

    Example:
        >>> import strata
        >>> callback = strata.callbacks.BackupAndRestore(backup_dir="/tmp/backup")
    """

    _runs_last = True
    _only_reports = True  # never stops training (a data-parallel run need not agree per step)

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("BackupAndRestore expected a backup_dir; received an empty path.")
        if save_freq != "epoch" and (
            not isinstance(save_freq, int) or isinstance(save_freq, bool) or save_freq < 1
        ):
            raise ValueError(
                "BackupAndRestore expected save_freq 'epoch' or a positive integer of batches; "
                f"received {save_freq!r}."
            )
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.delete_checkpoint = delete_checkpoint
        self._callbacks = []
        self._current_epoch = 0
        self._batches_since_save = 0

    @property
    def backup_path(self) -> str:
        return os.path.join(self.backup_dir, BACKUP_NAME)

    def _set_callbacks(self, callbacks):
        self._callbacks = [c for c in callbacks if c is not self]

    def _named_callbacks(self):
        counts = {}
        for callback in self._callbacks:
            name = type(callback).__name__
            index = counts.get(name, 0)
            counts[name] = index + 1
            yield f"{name}:{index}", callback

    # ------------------------------------------------------------------------------ hooks
    def on_train_begin(self, logs=None):
        self._batches_since_save = 0
        if is_chief():  # a backup write killed mid-way left a full-size temporary file
            remove_stale_temporaries(self.backup_path)
        if os.path.exists(self.backup_path):
            epoch = self._restore()
            # The engine's public seam: the loop starts at the epoch after the backed-up one.
            self.engine.load_state_dict({"epoch": epoch + 1})

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            # The epoch is not finished: a restore starts it again.
            self._write(self._current_epoch - 1)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._write(epoch)

    def on_train_end(self, logs=None):
        if not self.delete_checkpoint:
            return
        if is_chief():  # in a data-parallel run, every process reads the file; one writes it
            with contextlib.suppress(FileNotFoundError):
                os.remove(self.backup_path)
            with contextlib.suppress(OSError):
                os.rmdir(self.backup_dir)  # only when empty: never remove the user's other files
        # No process may start a later run while the finished run's backup is still there.
        barrier()

    # ------------------------------------------------------------------------- the file
    def _write(self, epoch):
        from safetensors.torch import save

        if not is_chief():
            return

        tensors = {}
        state = {
            "format": _FORMAT,
            "version": _VERSION,
            "epoch": int(epoch),
            # By position, as Keras matches weights: layer names differ between processes.
            "model": _encode(list(self.model.state_dict().values()), "model", tensors),
            "optimizer": _encode(_optimizer_state(self.model), "optimizer", tensors),
            "optimizer_class": type(getattr(self.model, "optimizer", None)).__name__,
            "freeze": _freeze_state.capture(self.model),
            "callbacks": {
                key: _encode(callback.state_dict(), f"callbacks/{key}", tensors)
                for key, callback in self._named_callbacks()
            },
            "random": _encode(_random_state(), "random", tensors),
        }
        data = save(tensors, metadata={"state": json.dumps(state)})
        os.makedirs(self.backup_dir, exist_ok=True)
        with atomic_write(self.backup_path, "wb") as handle:
            handle.write(data)

    def _restore(self) -> int:
        """Check the whole backup against this run, then restore it; returns its epoch.

        Nothing is changed unless every part fits: a backup that cannot be used raises a
        ValueError that names the file, says why and what to do.
        """
        try:
            state, tensors = self._read_backup()
            model_state = _decode(state["model"], tensors)
            optimizer_state = _decode(state["optimizer"], tensors)
            callback_states = {k: _decode(v, tensors) for k, v in state["callbacks"].items()}
            random_state = _decode(state["random"], tensors)
            epoch = int(state["epoch"])
            named_model_state = _matching_model_state(self.model, model_state)
            freeze = state.get("freeze")  # absent from backups written before it was kept
            if freeze is not None:
                _freeze_state.check(self.model, freeze)
            optimizer = self.model.optimizer
            layout_applied = False
            if optimizer_state is not None and optimizer is not None:
                if (
                    state.get("optimizer_class", type(optimizer).__name__)
                    != type(optimizer).__name__
                ):
                    raise ValueError(
                        f"it was written with the {state['optimizer_class']} optimizer; this "
                        f"model is compiled with {type(optimizer).__name__}"
                    )
                self._check_optimizer_state(optimizer, optimizer_state, freeze)
                layout_applied = True
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
            raise ValueError(
                f"BackupAndRestore cannot use the backup at {self.backup_path}: {error}. Delete "
                "that file to start afresh, or resume with the model and compile() settings "
                "that wrote it."
            ) from None
        if freeze is not None and not layout_applied:
            _freeze_state.apply(self.model, freeze)
        self.model.load_state_dict(named_model_state)
        if optimizer_state is not None and self.model.optimizer is not None:
            self.model.optimizer.load_state_dict(optimizer_state)
        for key, callback in self._named_callbacks():
            if key in callback_states:
                callback.load_state_dict(callback_states[key])
        _set_random_state(random_state)
        return epoch

    def _check_optimizer_state(self, optimizer, optimizer_state, freeze):
        """Check the optimizer's state against the backed-up layout; the layout stays applied
        when it fits and is undone (this run's freeze state back) when it does not."""
        if freeze is None:
            optimizer.check_state_dict(optimizer_state)
            return
        current = _freeze_state.capture(self.model)
        _freeze_state.apply(self.model, freeze)
        try:
            optimizer.check_state_dict(optimizer_state)
        except Exception:
            _freeze_state.apply(self.model, current)
            raise

    def _read_backup(self):
        """The backup's state (JSON) and tensors; a ValueError says what is wrong with it."""
        from safetensors.torch import load

        with open(self.backup_path, "rb") as handle:
            data = handle.read()
        try:
            tensors, metadata = load(data), _header_metadata(data)
        except Exception as error:  # safetensors raises its own error type for any damage
            raise ValueError(
                f"it is not a readable safetensors file (truncated, corrupt or foreign: "
                f"{_first_line(error)})"
            ) from None
        try:
            state = json.loads(metadata["state"])
        except (KeyError, ValueError, TypeError):
            raise ValueError("its header holds no readable strata backup state") from None
        if not isinstance(state, dict):
            raise ValueError(f"its state is a {type(state).__name__}, not a strata backup")
        if state.get("format") != _FORMAT or state.get("version") != _VERSION:
            raise ValueError(
                f"expected format {_FORMAT!r} version {_VERSION}; received "
                f"{state.get('format')!r} version {state.get('version')!r}"
            )
        return state, tensors


def _matching_model_state(model, values):
    """The backup's weights keyed by this model's state_dict names, if every shape matches."""
    current = model.state_dict()
    expected = [tuple(t.shape) for t in current.values()]
    received = [tuple(t.shape) for t in values]
    if expected != received:
        raise ValueError(
            f"this model's weights have shapes {expected}; the backup holds {received} (was it "
            "written by another model?)"
        )
    return dict(zip(current.keys(), values, strict=True))


def _first_line(error) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _header_metadata(data: bytes) -> dict:
    size = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + size])
    return header.get("__metadata__", {})


def _optimizer_state(model):
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or getattr(optimizer, "torch_optimizer", None) is None:
        return None
    return optimizer.state_dict()


def _random_state() -> dict:
    version, internal, gauss = random.getstate()
    kind, keys, position, has_gauss, cached = np.random.get_state()
    state = {
        "python": [version, list(internal), gauss],
        "numpy": [kind, keys.tolist(), int(position), int(has_gauss), float(cached)],
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
    }
    return state


def _set_random_state(state: dict) -> None:
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    kind, keys, position, has_gauss, cached = state["numpy"]
    np.random.set_state((kind, np.asarray(keys, dtype=np.uint32), position, has_gauss, cached))
    torch.set_rng_state(state["torch"])
    if state["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"][: torch.cuda.device_count()])


# A nested value becomes JSON where tensors and arrays are replaced by references to entries of
# the safetensors file; dicts keep their key types (torch's optimizer state uses int keys).
def _encode(value, path, tensors):
    if isinstance(value, torch.Tensor):
        tensors[path] = value.detach().cpu().clone().contiguous()
        return {"__tensor__": path}
    if isinstance(value, np.ndarray):
        tensors[path] = torch.from_numpy(np.ascontiguousarray(value).copy())
        return {"__ndarray__": path}
    if isinstance(value, dict):
        items = []
        for index, (key, item) in enumerate(value.items()):
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise TypeError(f"A backup expected JSON dict keys; received {key!r}.")
            items.append([key, _encode(item, f"{path}/{index}", tensors)])
        return {"__dict__": items}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v, f"{path}/{i}", tensors) for i, v in enumerate(value)]}
    if isinstance(value, list):
        return [_encode(v, f"{path}/{i}", tensors) for i, v in enumerate(value)]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(
        f"A backup expected tensors, arrays and JSON values in a state; received "
        f"{type(value).__name__} at '{path}'."
    )


def _decode(value, tensors):
    if isinstance(value, list):
        return [_decode(v, tensors) for v in value]
    if not isinstance(value, dict):
        return value
    if "__tensor__" in value:
        return tensors[value["__tensor__"]]
    if "__ndarray__" in value:
        return tensors[value["__ndarray__"]].numpy()
    if "__tuple__" in value:
        return tuple(_decode(v, tensors) for v in value["__tuple__"])
    return {key: _decode(item, tensors) for key, item in value["__dict__"]}
