"""Utilities: label encoding, normalization, safe file writes, the download cache."""

from strata.backend.seeding import set_random_seed
from strata.callbacks.activation_stats import activation_stats
from strata.preprocessing.sequence import pad_sequences
from strata.utils import bounding_boxes
from strata.utils.audio_dataset import audio_dataset_from_directory
from strata.utils.batch_dataset import BatchDataset
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
from strata.utils.py_dataset import PyDataset, Sequence
from strata.utils.text_dataset import text_dataset_from_directory

__all__ = [
    "audio_dataset_from_directory",
    "bounding_boxes",
    "BatchDataset",
    "PyDataset",
    "Sequence",
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
    "get_file",
    "model_to_dot",
    "normalize",
    "pad_sequences",
    "plot_history",
    "plot_model",
    "set_random_seed",
    "to_categorical",
]
