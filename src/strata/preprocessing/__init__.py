"""Data preprocessing helpers (Keras's `keras.preprocessing`)."""

from strata.preprocessing import image, sequence
from strata.preprocessing.sequence import pad_sequences
from strata.utils.dataset_utils import timeseries_dataset_from_array
from strata.utils.image_utils import image_dataset_from_directory
from strata.utils.text_dataset import text_dataset_from_directory

__all__ = [
    "image",
    "image_dataset_from_directory",
    "pad_sequences",
    "sequence",
    "text_dataset_from_directory",
    "timeseries_dataset_from_array",
]
