"""Scoring one trial: which epoch's value is the score, and what a `run_trial` returned."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from strata.callbacks.early_stopping import EarlyStopping
from strata.tuning._pruning import objective_value


@dataclasses.dataclass
class TrialResult:
    """What scoring one trial produced.

    Attributes:
        score: the objective's value for the kept weights (the mean over executions).
        metrics: every logged metric at the kept epoch, averaged over executions.
        epochs: epochs run by the first execution (fewer than asked when pruned).
        pruned: whether the pruner stopped the trial.
        execution_scores: the score of each execution.
        fold_scores: per-fold scores in cross-validation mode, else None.
        model: the model whose weights the trial keeps, or None (a custom `run_trial`).
        saved_execution: the index of the execution `model` comes from.
    """

    score: float
    metrics: dict = dataclasses.field(default_factory=dict)
    epochs: int | None = None
    pruned: bool = False
    execution_scores: list = dataclasses.field(default_factory=list)
    fold_scores: list | None = None
    model: object = None
    saved_execution: int | None = None


def execution_seed(seed, number, execution):
    """A seed for one execution of one trial, derived from the tuner's seed (None: None)."""
    if seed is None:
        return None
    state = np.random.SeedSequence([int(seed), int(number), int(execution)]).generate_state(1)
    return int(state[0])


def kept_epoch(history, callbacks):
    """Index in `history.history` of the epoch whose weights the model holds after `fit`.

    The last epoch, unless an `EarlyStopping(restore_best_weights=True)` put back the weights
    of its best epoch.
    """
    epochs_logged = len(next(iter(history.history.values()), []))
    for callback in callbacks or []:
        restored = (
            isinstance(callback, EarlyStopping)
            and callback.restore_best_weights
            and callback.best_weights is not None
        )
        if restored:
            first = history.epoch[0] if getattr(history, "epoch", None) else 0
            return callback.best_epoch - first
    return epochs_logged - 1


def result_from_fit(output, name, callbacks=None):
    """A `TrialResult` from what a fit returned: a `History`, a dict of metrics or a number."""
    if hasattr(output, "history"):
        logs = output.history
        if not logs or not next(iter(logs.values())):
            raise ValueError("fit returned an empty History: no epoch ran.")
        index = kept_epoch(output, callbacks)
        metrics = {key: float(values[index]) for key, values in logs.items() if values}
        epochs = len(next(iter(logs.values())))
        return TrialResult(objective_value(metrics, name), metrics=metrics, epochs=epochs)
    if isinstance(output, dict):
        metrics = {
            key: float(value[-1] if isinstance(value, (list, tuple)) else value)
            for key, value in output.items()
        }
        return TrialResult(objective_value(metrics, name), metrics=metrics)
    if isinstance(output, (int, float, np.number)) and not isinstance(output, bool):
        return TrialResult(float(output), metrics={name: float(output)})
    raise TypeError(
        "run_trial (or HyperModel.fit) must return a number, a dict of metrics or a History; "
        f"received {type(output).__name__}."
    )


def convert_run_trial(output, name):
    """A `TrialResult` from a user's `run_trial`: a number, dict, History, a list of them
    (one per execution, averaged) or a `TrialResult`."""
    if isinstance(output, TrialResult):
        return output
    if isinstance(output, (list, tuple)) and output:
        parts = [result_from_fit(item, name) for item in output]
        return combine(parts, models=[None] * len(parts))
    return result_from_fit(output, name)


def combine(parts, models):
    """One `TrialResult` from one per execution: mean score and metrics; the kept model is the
    execution whose score is closest to the mean (the earliest on ties)."""
    scores = [part.score for part in parts]
    mean = float(np.mean(scores))
    if math.isnan(mean):
        chosen = 0
    else:
        chosen = min(range(len(scores)), key=lambda i: (abs(scores[i] - mean), i))
    shared = set(parts[0].metrics).intersection(*(part.metrics for part in parts[1:]))
    metrics = {key: float(np.mean([part.metrics[key] for part in parts])) for key in sorted(shared)}
    return TrialResult(
        score=mean,
        metrics=metrics,
        epochs=parts[0].epochs,
        pruned=parts[0].pruned,
        execution_scores=scores,
        model=models[chosen],
        saved_execution=chosen,
    )
