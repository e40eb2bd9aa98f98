"""Hyperparameter tuning with KerasTuner's public API on Optuna: `import strata.tuning as kt`
(docs: docs/tuning-hyperparameters.md)."""

from strata.tuning.hypermodel import HyperModel
from strata.tuning.hyperparameters import HyperParameters
from strata.tuning.objective import Objective

__all__ = [
    "HyperModel",
    "HyperParameters",
    "Objective",
]
