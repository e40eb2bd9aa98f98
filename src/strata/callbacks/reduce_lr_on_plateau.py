"""ReduceLROnPlateau: lower the learning rate when a metric has stopped improving."""

from __future__ import annotations

from strata.backend import arguments
from strata.callbacks import _monitor
from strata.callbacks.callback import Callback


class ReduceLROnPlateau(Callback):
    """Multiplies the optimizer's learning rate by `factor` after `patience` flat epochs.

    Every epoch's logs also receive `learning_rate`: the rate the epoch trained with.

    Args:
        monitor: the epoch log key to watch.
        factor: the multiplier of the learning rate; must be below 1.
        patience: epochs without improvement before the rate is lowered.
        verbose: 1 prints a line each time the rate is lowered.
        mode: `"min"`, `"max"` or `"auto"` (inferred from the metric's name).
        min_delta: the smallest change that counts as an improvement.
        cooldown: epochs to wait after a reduction before counting again.
        min_lr: the rate never goes below this.

    Example:
        >>> import strata
        >>> callback = strata.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.1,
        ...                                               patience=10)
    """

    def __init__(
        self,
        monitor="val_loss",
        factor=0.1,
        patience=10,
        verbose=0,
        mode="auto",
        min_delta=1e-4,
        cooldown=0,
        min_lr=0.0,
        **kwargs,
    ):
        super().__init__()
        if "epsilon" in kwargs:  # Keras 2's name of min_delta
            min_delta = kwargs.pop("epsilon")
        if kwargs:
            raise TypeError(f"ReduceLROnPlateau received unknown arguments {sorted(kwargs)}.")
        owner = "ReduceLROnPlateau"
        arguments.number(owner, "factor", factor, 0.0, 1.0, low_open=True, high_open=True)
        arguments.integer(owner, "patience", patience, minimum=0)
        arguments.integer(owner, "cooldown", cooldown, minimum=0)
        arguments.number(owner, "min_delta", min_delta, low=0.0)
        arguments.number(owner, "min_lr", min_lr, low=0.0)
        arguments.verbosity(owner, verbose)
        self.monitor = monitor
        self.factor = float(factor)
        self.patience = int(patience)
        self.verbose = verbose
        self.mode = _monitor.resolve_mode(mode, monitor, "ReduceLROnPlateau")
        self.min_delta = float(min_delta)
        self.cooldown = int(cooldown)
        self.min_lr = float(min_lr)
        self._reset()

    def _reset(self):
        self.best = _monitor.worst_value(self.mode)
        self.wait = 0
        self.cooldown_counter = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        optimizer = self.model.optimizer
        logs["learning_rate"] = float(optimizer.learning_rate)
        current = _monitor.monitor_value(logs, self.monitor, "ReduceLROnPlateau")
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if _monitor.improved(self.mode, current, self.best, self.min_delta):
            self.best = current
            self.wait = 0
            return
        if self.in_cooldown():
            return
        self.wait += 1
        if self.wait < self.patience:
            return
        old_lr = float(optimizer.learning_rate)
        if old_lr > self.min_lr:
            new_lr = max(old_lr * self.factor, self.min_lr)
            optimizer.learning_rate = new_lr
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
            self.cooldown_counter = self.cooldown
            self.wait = 0

    def state_dict(self):
        return {"best": self.best, "wait": self.wait, "cooldown_counter": self.cooldown_counter}

    def load_state_dict(self, state):
        self.best = float(state["best"])
        self.wait = int(state["wait"])
        self.cooldown_counter = int(state["cooldown_counter"])
