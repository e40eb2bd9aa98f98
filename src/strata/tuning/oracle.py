"""Read-only views of a search: the `Trial` record and the `Oracle` that ranks trials.

Optuna's study is the single source of truth; these classes only translate its trials into
KerasTuner's vocabulary (`trial_id`, `score`, `status`, `hyperparameters`).
"""

from __future__ import annotations

import dataclasses
import math

import optuna

# Optuna's trial states under KerasTuner's status names. KerasTuner has no "pruned" state; its
# STOPPED is the closest word ("stopped before the end"), and a pruned trial is never ranked.
_STATUS = {
    optuna.trial.TrialState.COMPLETE: "COMPLETED",
    optuna.trial.TrialState.FAIL: "FAILED",
    optuna.trial.TrialState.RUNNING: "RUNNING",
    optuna.trial.TrialState.WAITING: "IDLE",
    optuna.trial.TrialState.PRUNED: "STOPPED",
}

# User attributes the tuner stores on every Optuna trial.
ATTR_HPS = "hyperparameters"
ATTR_HP_CONFIG = "hyperparameters_config"
ATTR_METRICS = "metrics"
ATTR_EPOCHS = "epochs"
ATTR_EXECUTION_SCORES = "execution_scores"
ATTR_FOLD_SCORES = "fold_scores"
ATTR_ERROR = "error"
ATTR_INTERRUPTED = "interrupted"
ATTR_DURATION = "duration_s"
ATTR_SCORE = "score"


@dataclasses.dataclass
class Trial:
    """One trial of a search, as KerasTuner's `Trial` shows it.

    Attributes:
        trial_id: zero-padded trial number (`"03"` when `max_trials` has two digits).
        number: Optuna's trial number (0-based).
        score: the objective's value for the kept weights (mean over executions); None for a
            failed trial.
        hyperparameters: a `HyperParameters` in fixed mode holding the trial's values.
        status: "COMPLETED", "FAILED", "RUNNING", "IDLE" or "STOPPED" (pruned).
        state: Optuna's state name ("COMPLETE", "PRUNED", "FAIL", ...).
        metrics: every logged metric at the kept epoch (of the saved execution).
        epochs: epochs actually run (of the first execution; fewer than asked when pruned).
        fold_scores: per-fold scores in cross-validation mode, else None.
        execution_scores: the score of each execution.
        message: the error text of a failed trial, else None.
        duration_s: seconds the trial took.
        optuna_trial: the live `optuna.trial.Trial` while the trial runs (what a `run_trial`
            override receives), else None.

    Example:
        >>> Trial(trial_id="0", number=0, score=0.5, hyperparameters=None,
        ...       status="COMPLETED").score
        0.5
    """

    trial_id: str
    number: int
    score: float | None
    hyperparameters: object
    status: str
    state: str = "COMPLETE"
    metrics: dict = dataclasses.field(default_factory=dict)
    epochs: int | None = None
    fold_scores: list | None = None
    execution_scores: list | None = None
    message: str | None = None
    duration_s: float | None = None
    optuna_trial: object = dataclasses.field(default=None, repr=False, compare=False)

    def summary(self):
        """Print the trial as KerasTuner's `Trial.summary` does."""
        print(f"Trial {self.trial_id} summary")
        print("Hyperparameters:")
        values = getattr(self.hyperparameters, "values", None) or {}
        if values:
            for name, value in values.items():
                print(f"{name}:", value)
        else:
            print("default configuration")
        if self.score is not None:
            print(f"Score: {self.score}")
        if self.message is not None:
            print(self.message)


def trial_id(number, max_trials):
    """KerasTuner's id: the number zero-padded to the width of `max_trials`."""
    width = max(len(str(max_trials or 0)), 1)
    return f"{number:0{width}d}"


def to_record(frozen, max_trials, make_hps):
    """A `Trial` from an Optuna `FrozenTrial`; `make_hps(values, config)` builds its
    hyperparameters (`config`: the trial's `HyperParameters.get_config()`, or None)."""
    attrs = frozen.user_attrs
    values = attrs.get(ATTR_HPS, dict(frozen.params))
    score = attrs.get(ATTR_SCORE, frozen.value)
    return Trial(
        trial_id=trial_id(frozen.number, max_trials),
        number=frozen.number,
        score=None if frozen.state == optuna.trial.TrialState.FAIL else score,
        hyperparameters=make_hps(values, attrs.get(ATTR_HP_CONFIG)),
        status=_STATUS.get(frozen.state, frozen.state.name),
        state=frozen.state.name,
        metrics=dict(attrs.get(ATTR_METRICS, {})),
        epochs=attrs.get(ATTR_EPOCHS),
        fold_scores=attrs.get(ATTR_FOLD_SCORES),
        execution_scores=attrs.get(ATTR_EXECUTION_SCORES),
        message=attrs.get(ATTR_ERROR),
        duration_s=attrs.get(ATTR_DURATION),
    )


class Oracle:
    """KerasTuner's `tuner.oracle`, as a view over the tuner's Optuna study.

    Args:
        tuner: the `Tuner` whose study, objective and `max_trials` this view reads.

    Example:
        >>> import tempfile
        >>> import strata.tuning as kt
        >>> tuner = kt.RandomSearch(lambda hp: None, directory=tempfile.mkdtemp(), verbose=0)
        >>> tuner.oracle.get_best_trials(1), tuner.oracle.max_trials
        ([], 10)
    """

    def __init__(self, tuner):
        self._tuner = tuner

    @property
    def objective(self):
        return self._tuner.objective

    @property
    def max_trials(self):
        return self._tuner.max_trials

    @property
    def trials(self):
        """`{trial_id: Trial}` for every trial of the study, in order."""
        records = [self._record(t) for t in self._tuner.study.get_trials(deepcopy=False)]
        return {record.trial_id: record for record in records}

    def get_trial(self, trial_id):
        """The `Trial` with this id (a string like `"03"` or the number)."""
        for record in self.trials.values():
            if str(trial_id) == record.trial_id or str(trial_id) == str(record.number):
                return record
        raise KeyError(f"No trial with id {trial_id!r} in study {self._tuner.study.study_name!r}.")

    def get_best_trials(self, num_trials=1):
        """The `num_trials` completed trials with the best scores, best first.

        Pruned, failed and running trials are never ranked; ties keep the earlier trial first.
        """
        complete = [
            t
            for t in self._tuner.study.get_trials(deepcopy=False)
            if t.state == optuna.trial.TrialState.COMPLETE
        ]
        records = [self._record(t) for t in complete]
        records = [r for r in records if r.score is not None and not math.isnan(r.score)]
        sign = 1.0 if self.objective.direction == "min" else -1.0
        records.sort(key=lambda r: (sign * r.score, r.number))
        return records[:num_trials]

    def _record(self, frozen):
        return to_record(frozen, self.max_trials, self._tuner._fixed_hyperparameters)
