"""Saving and loading: the registry of serializable objects and the safe file format."""

from strata.saving.load_report import LoadReport, Mismatch
from strata.saving.registry import (
    CustomObjectScope,
    custom_object_scope,
    deserialize_keras_object,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    register_serializable,
    serialize_keras_object,
)
from strata.saving.saving_lib import (
    SafeModeScope,
    in_safe_mode,
    load_model,
    load_weights,
    save_model,
    save_weights,
)
from strata.saving.torch_weights import load_torch_weights

__all__ = [
    "CustomObjectScope",
    "LoadReport",
    "Mismatch",
    "SafeModeScope",
    "custom_object_scope",
    "deserialize_keras_object",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "in_safe_mode",
    "load_model",
    "load_torch_weights",
    "load_weights",
    "register_keras_serializable",
    "register_serializable",
    "save_model",
    "save_weights",
    "serialize_keras_object",
]
