"""Utilities: label encoding, normalization, safe file writes, the download cache."""

from strata.backend import is_keras_tensor, standardize_dtype
from strata.backend.config import clear_session
from strata.backend.seeding import set_random_seed
from strata.callbacks.activation_stats import activation_stats
from strata.preprocessing.sequence import pad_sequences
from strata.saving.registry import (
    CustomObjectScope,
    custom_object_scope,
    deserialize_keras_object,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    serialize_keras_object,
)
from strata.utils.config_utils import (
    Config,
    get_source_inputs,
    pack_x_y_sample_weight,
    unpack_x_y_sample_weight,
)
from strata.utils.file_io import atomic_write, get_file
from strata.utils.history_plot import plot_history
from strata.utils.model_visualization import model_to_dot, plot_model
from strata.utils.numerical import normalize, to_categorical
from strata.utils.progbar import Progbar

__all__ = [
    "Config",
    "CustomObjectScope",
    "Progbar",
    "activation_stats",
    "atomic_write",
    "clear_session",
    "custom_object_scope",
    "deserialize_keras_object",
    "get_custom_objects",
    "get_file",
    "get_registered_name",
    "get_registered_object",
    "get_source_inputs",
    "is_keras_tensor",
    "model_to_dot",
    "normalize",
    "pack_x_y_sample_weight",
    "pad_sequences",
    "plot_history",
    "plot_model",
    "register_keras_serializable",
    "serialize_keras_object",
    "set_random_seed",
    "standardize_dtype",
    "to_categorical",
    "unpack_x_y_sample_weight",
]
