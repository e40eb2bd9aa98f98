"""Optimizers with Keras 3's names, arguments and defaults, running on `torch.optim`."""

import torch

from strata.optimizers import schedules
from strata.optimizers.adadelta import Adadelta
from strata.optimizers.adafactor import Adafactor
from strata.optimizers.adagrad import Adagrad
from strata.optimizers.adam import Adam
from strata.optimizers.adamax import Adamax
from strata.optimizers.adamw import AdamW
from strata.optimizers.base_optimizer import Optimizer
from strata.optimizers.ftrl import Ftrl
from strata.optimizers.lamb import Lamb
from strata.optimizers.lion import Lion
from strata.optimizers.loss_scale_optimizer import LossScaleOptimizer
from strata.optimizers.muon import Muon
from strata.optimizers.nadam import Nadam
from strata.optimizers.rmsprop import RMSprop
from strata.optimizers.schedule_free_adamw import ScheduleFreeAdamW
from strata.optimizers.sgd import SGD
from strata.saving import registry

_CLASSES = (
    SGD,
    RMSprop,
    Adam,
    AdamW,
    Adagrad,
    Adadelta,
    Adamax,
    Nadam,
    Ftrl,
    Lion,
    Lamb,
    Adafactor,
    Muon,
    ScheduleFreeAdamW,
    LossScaleOptimizer,
)
# Keras looks names up by class name and by lower case ("Adam" and "adam").
_OBJECTS = {
    **{cls.__name__: cls for cls in _CLASSES},
    **{cls.__name__.lower(): cls for cls in _CLASSES},
    "Optimizer": Optimizer,
}


def serialize(optimizer):
    """A JSON-ready dict describing `optimizer` (its class and `get_config()`)."""
    if not isinstance(optimizer, Optimizer):
        raise ValueError(
            f"serialize expected a strata Optimizer; received {type(optimizer).__name__}."
        )
    return registry.serialize_keras_object(optimizer)


def deserialize(config, custom_objects=None):
    """Rebuild an optimizer from `serialize`'s dict (class names are case-insensitive)."""
    if isinstance(config, dict) and "class_name" in config:
        config = dict(config)
        name = config.get("registered_name") or config["class_name"]
        if registry.get_registered_object(name, custom_objects) is None:
            lowered = config["class_name"].lower()
            if lowered in _OBJECTS:
                config["class_name"] = config["registered_name"] = lowered
        inner = config.get("config", {})
        cls = registry.get_registered_object(
            config.get("registered_name") or config["class_name"], custom_objects, _OBJECTS
        )
        if cls is not None and isinstance(cls, type) and issubclass(cls, Optimizer):
            return cls.from_config(inner, custom_objects=custom_objects)
    return registry.deserialize_keras_object(
        config, module_objects=_OBJECTS, custom_objects=custom_objects, printable="optimizer"
    )


def get(identifier):
    """An optimizer from a name ('adam', 'Adam', 'sgd', ...), a dict or an instance.

    A `torch.optim.Optimizer` is returned unchanged, so plain torch optimizers can be passed
    wherever strata takes one.

    Example:
        >>> get("Adam").learning_rate
        0.001
    """
    if isinstance(identifier, (Optimizer, torch.optim.Optimizer)):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _OBJECTS.get(identifier) or _OBJECTS.get(identifier.lower())
        if cls is None or cls is Optimizer:
            cls = registry.get_registered_object(identifier)
        if cls is None:
            raise ValueError(
                f"Unknown optimizer: '{identifier}'. Expected one of "
                f"{sorted(c.__name__.lower() for c in _CLASSES)} or a registered class."
            )
        return cls()
    raise ValueError(
        "Could not interpret optimizer identifier: expected a name, a dict from serialize() or "
        f"an Optimizer; received {type(identifier).__name__}: {identifier!r}."
    )


__all__ = [
    "SGD",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Ftrl",
    "Lamb",
    "Lion",
    "LossScaleOptimizer",
    "Muon",
    "Nadam",
    "Optimizer",
    "RMSprop",
    "ScheduleFreeAdamW",
    "deserialize",
    "get",
    "schedules",
    "serialize",
]
