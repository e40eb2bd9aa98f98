"""Pruning: the callback that reports each epoch to Optuna, and the `pruner=` argument."""

from __future__ import annotations

import math

import optuna

from strata.callbacks.callback import Callback


class ObjectiveNotLogged(ValueError):
    """The objective's name is not among the metrics `fit` logs (a set-up error, never retried)."""


def objective_value(logs, name):
    """`logs[name]` as a float, or `ObjectiveNotLogged` listing the keys that were logged."""
    if not logs or name not in logs:
        keys = sorted(logs) if logs else []
        raise ObjectiveNotLogged(
            f"The objective {name!r} is not among the metrics fit logged: {keys}. Pass "
            "validation data (validation_data= or validation_split=) for a 'val_' objective, "
            "compile the model with the metric, or choose one of the logged names."
        )
    return float(logs[name])


def make_pruner(pruner):
    """The Optuna pruner for `pruner=`: "median", "hyperband", None or a `BasePruner`.

    "hyperband" gives None here: its maximum resource is the number of epochs, known only when
    `search` runs (see `pruner_for_epochs`).
    """
    if pruner is None:
        return optuna.pruners.NopPruner()
    if isinstance(pruner, optuna.pruners.BasePruner):
        return pruner
    if pruner == "median":
        # Optuna's default waits for 5 finished trials; searches here are often ~10 trials,
        # so 2 trials of history; steps count epochs done from 1, and a trial is never pruned
        # on its first epoch alone (n_warmup_steps=2: step 1 is protected).
        return optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=2)
    if pruner == "hyperband":
        return None
    raise ValueError(
        'pruner must be "median", "hyperband", None or an optuna.pruners.BasePruner; '
        f"received {pruner!r}."
    )


def pruner_for_epochs(epochs, factor=3):
    """`HyperbandPruner` whose maximum resource is the number of epochs of the fit."""
    return optuna.pruners.HyperbandPruner(
        min_resource=1, max_resource=max(int(epochs), 1), reduction_factor=factor
    )


class PruningCallback(Callback):
    """Reports the objective to an Optuna trial after each epoch and stops unpromising fits.

    The step reported is the number of epochs done (1 after the first epoch), so a pruner's
    resources count epochs. When the trial's pruner says so, `model.stop_training` is set and
    `pruned` becomes True; the tuner then ends the trial as PRUNED.

    Args:
        trial: the `optuna.trial.Trial` to report to.
        monitor: the objective's name in the epoch logs (e.g. "val_loss").

    Attributes:
        epochs_run: epochs finished so far.
        pruned: whether the pruner stopped the fit.
        pruned_epoch: the epoch count at which it stopped, or None.
        last_value: the objective's value at the last epoch reported, or None.

    Example:
        >>> import optuna
        >>> study = optuna.create_study()
        >>> callback = PruningCallback(study.ask(), "val_loss")
        >>> callback.pruned
        False
    """

    def __init__(self, trial, monitor):
        super().__init__()
        self.trial = trial
        self.monitor = monitor
        self.epochs_run = 0
        self.pruned = False
        self.pruned_epoch = None
        self.last_value = None

    def on_epoch_end(self, epoch, logs=None):
        value = objective_value(logs, self.monitor)
        self.epochs_run += 1
        self.last_value = value
        if math.isnan(value):
            # Optuna ignores NaN reports; a NaN objective never recovers, so stop here.
            self._prune()
            return
        self.trial.report(value, self.epochs_run)
        if self.trial.should_prune():
            self._prune()

    def _prune(self):
        self.pruned = True
        self.pruned_epoch = self.epochs_run
        self.model.stop_training = True
