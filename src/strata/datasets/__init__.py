"""Real datasets, checksummed before parsing (Keras's `keras.datasets`)."""

from strata.datasets import digits, imdb, mnist

__all__ = ["digits", "imdb", "mnist"]
