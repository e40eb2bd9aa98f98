"""strata: Keras 3's API on a PyTorch engine.

Keras code runs after changing its imports (`import strata as keras`); every layer and model is
a `torch.nn.Module`.
"""

__version__ = "0.1.0"

from strata import (  # noqa: E402
    activations,
    applications,
    backend,
    callbacks,
    constraints,
    datasets,
    distillation,
    distribution,
    initializers,
    layers,
    losses,
    metrics,
    models,
    ops,
    optimizers,
    preprocessing,
    random,
    regularizers,
    saving,
    testing,
    utils,
    visualization,
    wrappers,
)
from strata.backend import set_random_seed  # noqa: E402
from strata.layers import Input, InputLayer, Layer  # noqa: E402
from strata.models import Model, Sequential  # noqa: E402

__all__ = [
    "Input",
    "InputLayer",
    "Layer",
    "Model",
    "Sequential",
    "activations",
    "applications",
    "backend",
    "callbacks",
    "constraints",
    "datasets",
    "distillation",
    "distribution",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "models",
    "ops",
    "optimizers",
    "preprocessing",
    "random",
    "regularizers",
    "saving",
    "set_random_seed",
    "testing",
    "utils",
    "visualization",
    "wrappers",
]
