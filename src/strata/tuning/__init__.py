"""Hyperparameter tuning with KerasTuner's public API on Optuna: `import strata.tuning as kt`
(docs: docs/tuning.md, docs/tuning-hyperparameters.md, docs/tuning-guard.md,
docs/tuning-distributed.md, docs/tuning-monitoring.md)."""

from strata.tuning.guard import TestSetReuseWarning
from strata.tuning.hypermodel import HyperModel
from strata.tuning.hyperparameters import HyperParameters
from strata.tuning.objective import Objective
from strata.tuning.oracle import Oracle, Trial
from strata.tuning.tuner import Tuner
from strata.tuning.tuners import (
    BayesianOptimization,
    GridSearch,
    Hyperband,
    RandomSearch,
    TPESearch,
)

__all__ = [
    "BayesianOptimization",
    "GridSearch",
    "HyperModel",
    "HyperParameters",
    "Hyperband",
    "Objective",
    "Oracle",
    "RandomSearch",
    "TPESearch",
    "TestSetReuseWarning",
    "Trial",
    "Tuner",
]
