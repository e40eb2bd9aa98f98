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
from strata.utils import bounding_boxes
from strata.utils.audio_dataset import audio_dataset_from_directory
from strata.utils.batch_dataset import BatchDataset
from strata.utils.config_utils import (
    Config,
    get_source_inputs,
    pack_x_y_sample_weight,
    unpack_x_y_sample_weight,
)
from strata.utils.dataset_utils import split_dataset, timeseries_dataset_from_array
from strata.utils.file_io import atomic_write, get_file
from strata.utils.history_plot import plot_history
from strata.utils.image_utils import (
    array_to_img,
    image_dataset_from_directory,
    img_to_array,
    load_img,
    save_img,
    smart_resize,
)
from strata.utils.model_visualization import model_to_dot, plot_model
from strata.utils.numerical import normalize, to_categorical
from strata.utils.progbar import Progbar
from strata.utils.py_dataset import PyDataset, Sequence
from strata.utils.text_dataset import text_dataset_from_directory

__all__ = [
    "audio_dataset_from_directory",
    "bounding_boxes",
    "BatchDataset",
    "PyDataset",
    "Sequence",
    "Config",
    "CustomObjectScope",
    "Progbar",
    "activation_stats",
    "array_to_img",
    "image_dataset_from_directory",
    "img_to_array",
    "load_img",
    "save_img",
    "smart_resize",
    "split_dataset",
    "text_dataset_from_directory",
    "timeseries_dataset_from_array",
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
