"""EarlyStopping: stop training when a monitored metric has stopped improving."""

from __future__ import annotations

from strata.backend import arguments
from strata.callbacks import _monitor
from strata.callbacks.callback import Callback


class EarlyStopping(Callback):
    """Stops `fit` once `monitor` has not improved for `patience` epochs.

    Args:
        monitor: the epoch log key to watch, for example `"val_loss"` or `"acc"`.
        min_delta: the smallest change that counts as an improvement.
        patience: epochs without improvement after which training stops.
        verbose: 1 prints a line when training stops or the best weights come back.
        mode: `"min"`, `"max"` or `"auto"` (larger is better for accuracy-like names such as
            `acc`, `accuracy`, `auc`; smaller for everything else).
        baseline: a value the metric must beat; until it does, `wait` keeps counting even when
            the metric improves, so training stops after `patience` epochs below the baseline.
        restore_best_weights: at the end of training, put back the weights of the best epoch
            (the first watched epoch's weights if none improved).
        start_from_epoch: epochs to let pass before watching (a warm-up).

    Attributes:
        stopped_epoch: the epoch (0-based) at which training was stopped, 0 if it was not.
        best: the best value seen.
        best_epoch: the epoch (0-based) of `best`.
        wait: epochs since the last improvement (or since the start, with a baseline unbeaten).

    Example:
        >>> import numpy as np, strata
        >>> model = strata.Sequential([strata.layers.Input((2,)), strata.layers.Dense(1)])
        >>> model.compile(optimizer=strata.optimizers.SGD(0.0), loss="mse")
        >>> stop = strata.callbacks.EarlyStopping(monitor="loss", patience=2)
        >>> history = model.fit(np.ones((8, 2)), np.ones((8, 1)), epochs=10, verbose=0,
        ...                     callbacks=[stop])
        >>> len(history.history["loss"]), stop.stopped_epoch
        (3, 2)
    """

    def __init__(
        self,
        monitor="val_loss",
        min_delta=0,
        patience=0,
        verbose=0,
        mode="auto",
        baseline=None,
        restore_best_weights=False,
        start_from_epoch=0,
    ):
        super().__init__()
        owner = "EarlyStopping"
        arguments.number(owner, "min_delta", min_delta)
        arguments.integer(owner, "patience", patience, minimum=0)
        arguments.integer(owner, "start_from_epoch", start_from_epoch, minimum=0)
        arguments.verbosity(owner, verbose)
        if baseline is not None:
            arguments.number(owner, "baseline (or None)", baseline)
        self.monitor = monitor
        self.min_delta = abs(float(min_delta))
        self.patience = int(patience)
        self.verbose = verbose
        self.mode = _monitor.resolve_mode(mode, monitor, "EarlyStopping")
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = int(start_from_epoch)
        self._reset()

    def _reset(self):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_epoch = 0
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        current = _monitor.monitor_value(logs, self.monitor, "EarlyStopping")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Until something improves, the first watched epoch is the best one.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if _monitor.improved(self.mode, current, self.best, self.min_delta):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            beats_baseline = self.baseline is None or _monitor.improved(
                self.mode, current, self.baseline, self.min_delta
            )
            if beats_baseline:
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        """`logs[monitor]` as a float, or None (with a warning listing the available keys)."""
        return _monitor.monitor_value(logs, self.monitor, "EarlyStopping")

    def state_dict(self):
        return {
            "wait": self.wait,
            "stopped_epoch": self.stopped_epoch,
            "best": self.best,
            "best_epoch": self.best_epoch,
            "best_weights": self.best_weights,
        }

    def load_state_dict(self, state):
        self.wait = int(state["wait"])
        self.stopped_epoch = int(state["stopped_epoch"])
        self.best = state["best"]
        self.best_epoch = int(state["best_epoch"])
        weights = state.get("best_weights")
        self.best_weights = None if weights is None else [w.copy() for w in weights]
