"""Layers with Keras's names, arguments and weight layouts; each one a torch.nn.Module.

Each area package (core, convolutional, pooling, ...) lists its public layers in `__all__`;
they are re-exported here.
"""

import importlib

from strata.layers.layer import Layer, WeightLayout

_AREAS = (
    "core",
    "convolutional",
    "pooling",
    "normalization",
    "recurrent",
    "merging",
    "activations",
    "regularization",
    "reshaping",
)

__all__ = ["Layer", "WeightLayout"]
for _area in _AREAS:
    try:
        _module = importlib.import_module(f"strata.layers.{_area}")
    except ModuleNotFoundError as _error:
        if _error.name != f"strata.layers.{_area}":
            raise
        continue
    for _name in _module.__all__:
        globals()[_name] = getattr(_module, _name)
        __all__.append(_name)


def _builtin_layers() -> dict:
    import inspect

    table = {n: globals()[n] for n in __all__ if inspect.isclass(globals()[n])}
    from strata.models import Functional, Model, Sequential

    table.update({"Functional": Functional, "Model": Model, "Sequential": Sequential})
    return table


def serialize(layer) -> dict:
    """A layer's JSON-ready description (class name, registered name, config)."""
    from strata.saving.registry import serialize_keras_object

    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    """A fresh layer from `serialize`'s output; only built-in or registered classes load."""
    from strata.saving.registry import deserialize_keras_object

    return deserialize_keras_object(
        config, module_objects=_builtin_layers(), custom_objects=custom_objects, printable="layer"
    )
