"""LearningRateScheduler: set the learning rate from a function of the epoch."""

from __future__ import annotations

import inspect
import numbers

import torch

from strata.backend import arguments
from strata.callbacks.callback import Callback


def _takes_two_arguments(function) -> bool:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return True
    positional = [
        p
        for p in parameters
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
    ]
    return len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in positional)


class LearningRateScheduler(Callback):
    """At the start of every epoch, sets the learning rate to `schedule(epoch, lr)`.

    Args:
        schedule: a function `(epoch, lr) -> new_lr` (epoch 0-based, `lr` the current rate);
            a function of the epoch alone is accepted too (Keras 2's form).
        verbose: 1 prints the rate set at each epoch.

    Example:
        >>> import strata
        >>> def schedule(epoch, lr):
        ...     return lr if epoch < 10 else lr * 0.9
        >>> callback = strata.callbacks.LearningRateScheduler(schedule)
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(
                "LearningRateScheduler expected a callable schedule(epoch, lr); received "
                f"{type(schedule).__name__}."
            )
        self.schedule = schedule
        self.verbose = arguments.verbosity("LearningRateScheduler", verbose)
        self._two_arguments = _takes_two_arguments(schedule)

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if optimizer is None:
            raise ValueError("LearningRateScheduler expected a compiled model with an optimizer.")
        current = float(optimizer.learning_rate)
        lr = self.schedule(epoch, current) if self._two_arguments else self.schedule(epoch)
        if isinstance(lr, torch.Tensor) and lr.numel() == 1:
            lr = lr.item()
        if not isinstance(lr, numbers.Real) or isinstance(lr, bool):
            raise ValueError(
                "LearningRateScheduler expected the schedule to return a float; received "
                f"{type(lr).__name__}: {lr!r}."
            )
        optimizer.learning_rate = float(lr)
        if self.verbose > 0:
            print(
                f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {float(lr)}."
            )

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)
