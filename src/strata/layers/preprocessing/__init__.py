"""Preprocessing and augmentation layers (Keras 3's `keras.layers` preprocessing family)."""

from strata.layers.preprocessing.random_flip import RandomFlip
from strata.layers.preprocessing.rescaling import Rescaling
from strata.layers.preprocessing.resizing import Resizing
from strata.layers.preprocessing.center_crop import CenterCrop

__all__ = ["RandomFlip", "Rescaling", "Resizing", "CenterCrop"]
