"""Hyperparameter search: KerasTuner's API on Optuna."""
