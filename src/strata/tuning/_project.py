"""The project folder and the Optuna study behind a tuner; the hypermodel adapter."""

from __future__ import annotations

import contextlib
import glob
import inspect
import os
import shutil

import optuna

# KerasTuner constructor keywords strata accepts and ignores, with the reason (docs/tuning.md).
IGNORED_KEYWORDS = {
    "tune_new_entries": "every hyperparameter a build declares is tuned",
    "allow_new_entries": "every hyperparameter a build declares is tuned",
    "max_retries_per_trial": "a failed trial is recorded as FAILED and the search moves on",
    "logger": "deprecated in KerasTuner too",
    "tuner_id": "trials are reserved through the study's storage, not by tuner ids",
    "distribution_strategy": "TensorFlow's strategies do not apply; use strata.distribution",
}
# Keywords strata implements beyond the common ones.
HANDLED_KEYWORDS = ("hyperparameters", "max_model_size", "optimizer", "loss", "metrics")

TRIAL_DIR = "trial_{:04d}"
CHECKPOINT = "checkpoint.weights.h5"


def check_keywords(kwargs):
    """Split KerasTuner's extra keywords: TypeError on unknown ones; returns the handled ones."""
    unknown = sorted(set(kwargs) - set(IGNORED_KEYWORDS) - set(HANDLED_KEYWORDS))
    if unknown:
        raise TypeError(f"Tuner got unexpected keyword arguments: {unknown}.")
    for key in ("tune_new_entries", "allow_new_entries"):
        if kwargs.get(key, True) is not True:
            raise ValueError(
                f"{key}=False needs a predefined search space (hyperparameters=), which "
                "strata.tuning does not support: declare the space in build(hp)."
            )
    if kwargs.get("hyperparameters") is not None:
        raise ValueError(
            "hyperparameters= (a predefined search space) is not supported: declare every "
            "hyperparameter in build(hp), using hp.Fixed for values to keep fixed."
        )
    return {key: kwargs.get(key) for key in HANDLED_KEYWORDS}


def is_native_build(function):
    """Whether `function` is an Optuna-style `build(trial)`: its first parameter is named
    `trial` or annotated with `optuna.trial.Trial`."""
    try:
        parameters = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):
        return False
    if not parameters:
        return False
    first = parameters[0]
    annotation = first.annotation
    if annotation is optuna.trial.Trial or annotation in ("Trial", "optuna.trial.Trial"):
        return True
    return first.name == "trial"


def delete_trial_folders(project_dir):
    """Delete every trial folder: with the study's deletion, what `overwrite=True` starts from."""
    for folder in glob.glob(os.path.join(project_dir, "trial_*")):
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def quiet_optuna():
    """Optuna's per-trial INFO lines off while the tuner prints its own progress."""
    previous = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(previous)


def format_values(values):
    return ", ".join(f"{name}={_short(value)}" for name, value in values.items())


def _short(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    return repr(value) if isinstance(value, str) else str(value)
