"""Preprocessing and augmentation layers (Keras 3's `keras.layers` preprocessing family)."""

from strata.layers.preprocessing.random_brightness import RandomBrightness
from strata.layers.preprocessing.random_contrast import RandomContrast
from strata.layers.preprocessing.random_crop import RandomCrop
from strata.layers.preprocessing.random_flip import RandomFlip
from strata.layers.preprocessing.random_rotation import RandomRotation
from strata.layers.preprocessing.random_shear import RandomShear
from strata.layers.preprocessing.random_translation import RandomTranslation
from strata.layers.preprocessing.random_zoom import RandomZoom
from strata.layers.preprocessing.rescaling import Rescaling

__all__ = [
    "RandomBrightness",
    "RandomContrast",
    "RandomCrop",
    "RandomFlip",
    "RandomRotation",
    "RandomShear",
    "RandomTranslation",
    "RandomZoom",
    "Rescaling",
]
