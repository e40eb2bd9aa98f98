"""CallbackList: the one place hooks are dispatched from."""

from __future__ import annotations

from strata.callbacks.callback import Callback

_BATCH_HOOKS = {
    "on_train_batch_begin": ("on_train_batch_begin", "on_batch_begin"),
    "on_train_batch_end": ("on_train_batch_end", "on_batch_end"),
    "on_test_batch_begin": ("on_test_batch_begin",),
    "on_test_batch_end": ("on_test_batch_end",),
    "on_predict_batch_begin": ("on_predict_batch_begin",),
    "on_predict_batch_end": ("on_predict_batch_end",),
}


def _overrides(callback, method_names) -> bool:
    # A hook counts when the class overrides it or the instance holds its own function
    # (LambdaCallback); the base class's bound no-op does not.
    return any(
        getattr(getattr(callback, name, None), "__func__", None) is not getattr(Callback, name)
        for name in method_names
    )


class CallbackList:
    """Holds the callbacks of one fit/evaluate/predict call and calls their hooks in order.

    Batch hooks are dispatched only to callbacks that override them, so a run whose callbacks
    only watch epochs pays nothing per step.
    """

    def __init__(self, callbacks=None, model=None, add_history=False, add_progbar=False, **params):
        from strata.callbacks.history import History
        from strata.callbacks.progbar_logger import ProgbarLogger

        self.callbacks = list(callbacks or [])
        for callback in self.callbacks:
            if not isinstance(callback, Callback):
                raise ValueError(
                    "callbacks expected strata.callbacks.Callback instances; received "
                    f"{type(callback).__name__}."
                )
        if add_progbar and not any(isinstance(c, ProgbarLogger) for c in self.callbacks):
            self.callbacks.insert(0, ProgbarLogger())
        self.history = None
        if add_history:
            existing = [c for c in self.callbacks if isinstance(c, History)]
            self.history = existing[0] if existing else History()
            if not existing:
                self.callbacks.append(self.history)
        # Callbacks that record the run's state (BackupAndRestore) go last, so their epoch-end
        # hook sees every other callback, History included, after its own epoch-end hook.
        self.callbacks.sort(key=lambda c: bool(getattr(c, "_runs_last", False)))
        from strata.distribution import is_chief

        if not is_chief():  # a data-parallel run's other processes: no output of their own
            self.callbacks = [c for c in self.callbacks if not getattr(c, "_chief_only", False)]
        self.model = model
        self.params = params
        for callback in self.callbacks:
            if hasattr(callback, "_set_callbacks"):
                callback._set_callbacks(self.callbacks)
            if model is not None:
                callback.set_model(model)
            callback.set_params(params)
        self._batch_targets = {
            hook: [c for c in self.callbacks if _overrides(c, names)]
            for hook, names in _BATCH_HOOKS.items()
        }

    def append(self, callback) -> None:
        self.callbacks.append(callback)

    def set_validation_data(self, data) -> None:
        for callback in self.callbacks:
            callback.validation_data = data

    def set_engine(self, engine) -> None:
        """Give every callback the run's engine (`callback.engine`)."""
        for callback in self.callbacks:
            callback.engine = engine

    def may_stop_mid_epoch(self) -> bool:
        """Whether a callback watching batches might set `model.stop_training` mid-epoch."""
        return any(
            not getattr(callback, "_only_reports", False)
            for hook in ("on_train_batch_begin", "on_train_batch_end")
            for callback in self._batch_targets[hook]
        )

    def needs(self, hook: str) -> bool:
        """Whether any callback overrides a batch hook (callers skip building logs if not)."""
        return bool(self._batch_targets[hook])

    def _call_batch(self, hook, batch, logs):
        for callback in self._batch_targets[hook]:
            getattr(callback, hook)(batch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call_batch("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call_batch("on_train_batch_end", batch, logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._call_batch("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._call_batch("on_test_batch_end", batch, logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call_batch("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call_batch("on_predict_batch_end", batch, logs)

    def _call(self, hook, *args):
        for callback in self.callbacks:
            getattr(callback, hook)(*args)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs)

    def on_test_begin(self, logs=None):
        self._call("on_test_begin", logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", logs)

    def on_predict_begin(self, logs=None):
        self._call("on_predict_begin", logs)

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", logs)

    def __iter__(self):
        return iter(self.callbacks)
