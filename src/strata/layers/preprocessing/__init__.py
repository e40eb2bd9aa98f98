"""Preprocessing and augmentation layers (Keras 3's `keras.layers` preprocessing family)."""

from strata.layers.preprocessing.random_flip import RandomFlip
from strata.layers.preprocessing.rescaling import Rescaling

__all__ = ["RandomFlip", "Rescaling"]
