"""Data preprocessing helpers (Keras's `keras.preprocessing`)."""

from strata.preprocessing import sequence
from strata.preprocessing.sequence import pad_sequences

__all__ = ["pad_sequences", "sequence"]
