"""Public test helpers: run the checks strata runs on its own layers on yours."""

from strata.testing.layer_checks import LayerSpec, run_layer_test

__all__ = ["LayerSpec", "run_layer_test"]
