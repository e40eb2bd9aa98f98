"""Preprocessing layers (Keras 3's `keras.layers` preprocessing family)."""

from strata.layers.preprocessing.rescaling import Rescaling

__all__ = ["Rescaling"]
