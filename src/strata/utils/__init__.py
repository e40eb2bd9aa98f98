"""Utilities: label encoding, normalization, safe file writes, the download cache."""

from strata.backend.seeding import set_random_seed
from strata.callbacks.activation_stats import activation_stats
from strata.preprocessing.sequence import pad_sequences
from strata.utils.file_io import atomic_write, get_file
from strata.utils.history_plot import plot_history
from strata.utils.model_visualization import model_to_dot, plot_model
from strata.utils.numerical import normalize, to_categorical

__all__ = [
    "activation_stats",
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
