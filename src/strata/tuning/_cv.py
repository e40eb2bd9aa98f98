"""`search(..., cv=K)`: scoring each trial by K-fold cross-validation.

The guard against keras-tuner#1018 (ranking trials on the same validation numbers that chose
their best epoch): a trial's score is the mean of its held-out fold scores, while the epoch
count, the pruner and the user's monitoring callbacks only ever see an inner split of each
fold's training rows (`cross_validate(validation="inner")`). The folds are the same for every
trial of a study (one seed, kept in the study), so trials are compared on identical data.

No fold model is kept: the winner is refitted on all the search's rows for the epoch count its
averaged inner curves chose, when `get_best_models` first asks for it (scikit-learn's `refit`).
"""

from __future__ import annotations

import json
import os
import random

import numpy as np

from strata.backend.seeding import set_random_seed
from strata.evaluation._data import leaves
from strata.tuning import _project
from strata.tuning._pruning import PruningCallback
from strata.tuning._run import TrialResult, execution_seed

STUDY_SEED_ATTR = "cv_seed"
ATTR_BEST_EPOCH = "best_epoch"


class FoldPruned(Exception):
    """Raised inside the first fold's `fit` to stop the whole cross-validation of a trial."""


class _FoldPruningCallback(PruningCallback):
    """Reports the first fold's inner-validation curve; a pruned trial stops every fold."""

    def _prune(self):
        super()._prune()
        raise FoldPruned(self.epochs_run)


def check_cv(cv):
    """`cv` is None, an integer >= 2 or a scikit-learn splitter; anything else: ValueError."""
    if cv is None or hasattr(cv, "split"):
        return cv
    if isinstance(cv, bool) or not isinstance(cv, (int, np.integer)) or cv < 2:
        raise ValueError(f"cv must be an integer >= 2 or a scikit-learn splitter; received {cv!r}.")
    return int(cv)


def split_data(fit_args, fit_kwargs):
    """`(x, y, fit_kwargs)` for a cross-validated search; refuses a fixed validation set."""
    if fit_kwargs.get("validation_data") is not None:
        raise ValueError(
            "search(cv=K) scores every trial on held-out folds and picks epochs on an inner "
            "split of each fold's training rows, so it takes no validation_data; pass all the "
            "search's rows as x and y (keep the test set out), or drop cv."
        )
    args = list(fit_args)
    kwargs = dict(fit_kwargs)
    x = args.pop(0) if args else kwargs.pop("x", None)
    y = args.pop(0) if args else kwargs.pop("y", None)
    if args:
        raise ValueError(
            f"search(cv=K) takes x and y positionally and the rest as keywords; received "
            f"{len(fit_args)} positional arguments."
        )
    if x is None or y is None:
        raise ValueError("search(cv=K) needs both x and y (arrays, or lists/dicts of arrays).")
    kwargs.pop("validation_data", None)
    return x, y, kwargs


def study_seed(tuner):
    """The seed of the folds, shared by every trial and every worker of the study."""
    attrs = tuner.study.user_attrs
    if STUDY_SEED_ATTR not in attrs:
        seed = tuner.seed if tuner.seed is not None else random.SystemRandom().randrange(2**31)
        tuner.study.set_user_attr(STUDY_SEED_ATTR, int(seed))
        attrs = tuner.study.user_attrs  # another worker may have set it first: read it back
    return int(attrs[STUDY_SEED_ATTR])


def held_out_key(objective_name):
    """The name `model.evaluate` gives the objective on held-out rows (no `val_` prefix)."""
    return objective_name[4:] if objective_name.startswith("val_") else objective_name


def cross_validated_result(tuner, hp, trial, x, y, cv, fit_kwargs):
    """Score one trial by K-fold cross-validation: a `TrialResult` with `fold_scores`."""
    from strata.evaluation import cross_validate

    kwargs = dict(fit_kwargs)
    user_callbacks = list(kwargs.pop("callbacks", None) or [])
    epochs = kwargs.pop("epochs", 1)
    batch_size = kwargs.pop("batch_size", None)
    verbose = 2 if kwargs.pop("verbose", 0) else 0
    monitor = tuner.objective.name
    pruning = _FoldPruningCallback(trial, monitor) if monitor.startswith("val_") else None

    def fold_callbacks(fold):
        return user_callbacks + ([pruning] if pruning is not None and fold == 0 else [])

    try:
        result = cross_validate(
            lambda: tuner._build(hp, trial),
            x,
            y,
            cv=cv,
            seed=study_seed(tuner),
            epochs=epochs,
            batch_size=batch_size,
            callbacks=fold_callbacks,
            validation="inner",
            verbose=verbose,
            **kwargs,
        )
    except FoldPruned:
        # Optuna records a pruned trial at its last reported (inner-split) value.
        return TrialResult(score=pruning.last_value, epochs=pruning.epochs_run, pruned=True)
    key = held_out_key(monitor)
    if key not in result.mean:
        raise ValueError(
            f"The objective {monitor!r} needs {key!r} among the held-out scores; "
            f"model.evaluate gave {sorted(result.mean)}."
        )
    fold_scores = [float(scores[key]) for scores in result.scores]
    metrics = {f"cv_{name}": value for name, value in result.mean.items()}
    metrics.update({f"cv_{name}_std": value for name, value in result.std.items()})
    best = best_epoch(result, key, tuner.objective.direction)
    metrics[ATTR_BEST_EPOCH] = best if best is not None else epochs
    trial.set_user_attr(ATTR_BEST_EPOCH, metrics[ATTR_BEST_EPOCH])
    first_fold_epochs = len(next(iter(result.histories[0].values()), []))
    return TrialResult(
        score=float(np.mean(fold_scores)),
        metrics=metrics,
        epochs=first_fold_epochs,
        fold_scores=fold_scores,
    )


def best_epoch(result, key, direction):
    """The epoch count (1-based) where the fold-averaged INNER validation curve of the
    objective is best; None without an inner curve. Never the held-out scores."""
    curve = result.curves.get(key)
    if curve is None or np.all(np.isnan(curve)):
        return None
    pick = np.nanargmin if direction == "min" else np.nanargmax
    return int(pick(curve)) + 1


def refit(tuner, number, search_data):
    """Train trial `number`'s model on all the search's rows for its chosen epoch count and
    save its weights in the trial folder (so later calls, and other processes, load them)."""
    x, y, fit_kwargs = search_data
    frozen = tuner.study.trials[number]
    kwargs = {
        key: value
        for key, value in fit_kwargs.items()
        if key not in ("callbacks", "validation_split", "validation_data", "epochs")
    }
    kwargs["verbose"] = 0
    epochs = int(frozen.user_attrs.get(ATTR_BEST_EPOCH) or fit_kwargs.get("epochs", 1))
    set_random_seed(execution_seed(study_seed(tuner), number, 0))
    model = tuner._rebuild(frozen)
    model.fit(x, y, epochs=epochs, **kwargs)
    folder = tuner.get_trial_dir(number)
    os.makedirs(folder, exist_ok=True)
    model.save_weights(os.path.join(folder, _project.CHECKPOINT))
    record = {
        "trial_number": number,
        "refit": {"epochs": epochs, "rows": len(leaves(x)[0])},
        "build_config": model.get_build_config(),
    }
    with open(os.path.join(folder, "trial.json"), "w") as handle:
        json.dump(record, handle, indent=2, default=str)
    return model
