"""strata: Keras 3's API on a PyTorch engine."""

__version__ = "0.1.0"

from strata import (  # noqa: E402
    activations,
    backend,
    constraints,
    initializers,
    layers,
    models,
    regularizers,
)
from strata.layers import Input, InputLayer, Layer  # noqa: E402
from strata.models import Model, Sequential  # noqa: E402

__all__ = [
    "Input",
    "InputLayer",
    "Layer",
    "Model",
    "Sequential",
    "activations",
    "backend",
    "constraints",
    "initializers",
    "layers",
    "models",
    "regularizers",
]
