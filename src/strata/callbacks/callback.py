"""The Callback base: no-op hooks that fit, evaluate and predict call at fixed points."""

from __future__ import annotations


class Callback:
    """Base class for objects that watch and steer training.

    Override any hook; each receives a `logs` dict (metric name -> float for epoch hooks; batch
    hooks receive a lazy mapping whose values are read from the device only when accessed).

    Attributes:
        model: the model being trained (set by `set_model`).
        params: `{"epochs", "steps", "verbose"}` of the current run.
        validation_data: what `fit` received as validation data (`(x_val, y_val)` or with sample
            weights), or None.
        engine: the run's `strata.trainers.engine.Engine` (set when the run starts): its public
            state (`epoch`, `initial_epoch`, `steps_done`, `state_dict()`) and events
            (`add_input_observer`) are how a callback steers the loop.

    Example:
        >>> import strata
        >>> class CountEpochs(strata.callbacks.Callback):
        ...     def on_train_begin(self, logs=None):
        ...         self.seen = 0
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         self.seen += 1
    """

    def __init__(self):
        self.params = {}
        self._model = None
        self.validation_data = None
        self.engine = None

    @property
    def model(self):
        return self._model

    @model.setter
    def model(self, value):
        self._model = value

    def set_params(self, params: dict) -> None:
        self.params = params

    def set_model(self, model) -> None:
        self._model = model

    # Legacy batch names (Keras 2): the train batch hooks call them, so overriding either works.
    def on_batch_begin(self, batch, logs=None):
        """Legacy alias of `on_train_batch_begin`."""

    def on_batch_end(self, batch, logs=None):
        """Legacy alias of `on_train_batch_end`."""

    def on_epoch_begin(self, epoch, logs=None):
        """At the start of an epoch (training mode)."""

    def on_epoch_end(self, epoch, logs=None):
        """At the end of an epoch; `logs` holds the epoch's metrics and their `val_` twins."""

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        """Before a batch of `evaluate` (or of validation inside `fit`)."""

    def on_test_batch_end(self, batch, logs=None):
        """After a batch of `evaluate` (or of validation inside `fit`)."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Before a batch of `predict`."""

    def on_predict_batch_end(self, batch, logs=None):
        """After a batch of `predict`; `logs["outputs"]` holds the batch's outputs."""

    def on_train_begin(self, logs=None):
        """At the start of `fit`."""

    def on_train_end(self, logs=None):
        """At the end of `fit`."""

    def on_test_begin(self, logs=None):
        """At the start of `evaluate` (or of validation inside `fit`)."""

    def on_test_end(self, logs=None):
        """At the end of `evaluate` (or of validation inside `fit`)."""

    def on_predict_begin(self, logs=None):
        """At the start of `predict`."""

    def on_predict_end(self, logs=None):
        """At the end of `predict`."""

    # Callbacks that keep state override these, so BackupAndRestore can resume them exactly.
    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None:
        """Restore what `state_dict` returned."""
