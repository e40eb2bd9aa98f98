"""Preprocessing and augmentation layers (Keras 3's `keras.layers` preprocessing family)."""

from strata.layers.preprocessing.category_encoding import CategoryEncoding
from strata.layers.preprocessing.center_crop import CenterCrop
from strata.layers.preprocessing.discretization import Discretization
from strata.layers.preprocessing.hashed_crossing import HashedCrossing
from strata.layers.preprocessing.hashing import Hashing
from strata.layers.preprocessing.integer_lookup import IntegerLookup
from strata.layers.preprocessing.normalization import Normalization
from strata.layers.preprocessing.pipeline import Pipeline
from strata.layers.preprocessing.random_flip import RandomFlip
from strata.layers.preprocessing.rescaling import Rescaling
from strata.layers.preprocessing.resizing import Resizing
from strata.layers.preprocessing.string_lookup import StringLookup
from strata.layers.preprocessing.text_vectorization import TextVectorization

__all__ = [
    "CategoryEncoding",
    "CenterCrop",
    "Discretization",
    "HashedCrossing",
    "Hashing",
    "IntegerLookup",
    "Normalization",
    "Pipeline",
    "RandomFlip",
    "Rescaling",
    "Resizing",
    "StringLookup",
    "TextVectorization",
]
