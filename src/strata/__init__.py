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
    config,
    constraints,
    datasets,
    distillation,
    distribution,
    dtype_policies,
    ensembles,
    evaluation,
    initializers,
    layers,
    losses,
    metrics,
    mixed_precision,
    models,
    ops,
    optimizers,
    preprocessing,
    pretraining,
    random,
    regularizers,
    saving,
    testing,
    tree,
    utils,
    visualization,
    wrappers,
    zoo,
)
from strata.backend import KerasTensor, Variable, name_scope, set_random_seed  # noqa: E402
from strata.backend.config import device_scope as _device_scope  # noqa: E402
from strata.dtype_policies import DTypePolicy, FloatDTypePolicy  # noqa: E402
from strata.initializers import Initializer  # noqa: E402
from strata.layers import Input, InputLayer, InputSpec, Layer  # noqa: E402
from strata.losses import Loss  # noqa: E402
from strata.metrics import Metric  # noqa: E402
from strata.models import Model, Sequential  # noqa: E402
from strata.optimizers import Optimizer  # noqa: E402
from strata.regularizers import Regularizer  # noqa: E402


def version() -> str:
    """strata's version (what `keras.version()` answers for Keras).

    Example:
        >>> version() == __version__
        True
    """
    return __version__


def device(device_name):
    """A context in which models and tensors are made on `device_name` (Keras's `keras.device`).

    Args:
        device_name: `"cpu"`, `"cuda"`, `"cuda:1"`, or Keras's `"gpu"` / `"gpu:1"`.

    Example:
        >>> import torch
        >>> with device("cpu"):
        ...     torch.zeros(1).device.type
        'cpu'
    """
    if not isinstance(device_name, str):
        raise ValueError(f"device expected a device name string; received {device_name!r}.")
    name = device_name.lower()
    if name.startswith("gpu"):
        name = "cuda" + name[3:]
    return _device_scope(name)


__all__ = [
    "DTypePolicy",
    "FloatDTypePolicy",
    "Initializer",
    "Input",
    "InputLayer",
    "InputSpec",
    "KerasTensor",
    "Layer",
    "Loss",
    "Metric",
    "Model",
    "Optimizer",
    "Regularizer",
    "Sequential",
    "Variable",
    "activations",
    "applications",
    "backend",
    "callbacks",
    "config",
    "constraints",
    "device",
    "datasets",
    "distillation",
    "distribution",
    "dtype_policies",
    "ensembles",
    "evaluation",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "mixed_precision",
    "models",
    "ops",
    "name_scope",
    "optimizers",
    "preprocessing",
    "pretraining",
    "random",
    "regularizers",
    "saving",
    "set_random_seed",
    "testing",
    "tree",
    "utils",
    "visualization",
    "wrappers",
    "version",
    "zoo",
]
