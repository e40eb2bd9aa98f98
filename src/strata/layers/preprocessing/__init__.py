"""Preprocessing and augmentation layers (Keras 3's `keras.layers` preprocessing family)."""

from strata.layers.preprocessing.category_encoding import CategoryEncoding
from strata.layers.preprocessing.center_crop import CenterCrop
from strata.layers.preprocessing.discretization import Discretization
from strata.layers.preprocessing.normalization import Normalization
from strata.layers.preprocessing.random_flip import RandomFlip
from strata.layers.preprocessing.rescaling import Rescaling
from strata.layers.preprocessing.resizing import Resizing

__all__ = [
    "RandomFlip",
    "Rescaling",
    "Resizing",
    "CenterCrop",
    "Normalization",
    "Discretization",
    "CategoryEncoding",
]
