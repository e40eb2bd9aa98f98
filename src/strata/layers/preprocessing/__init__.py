"""Preprocessing and augmentation layers (Keras 3's `keras.layers` preprocessing family)."""

from strata.layers.preprocessing.aug_mix import AugMix
from strata.layers.preprocessing.auto_contrast import AutoContrast
from strata.layers.preprocessing.category_encoding import CategoryEncoding
from strata.layers.preprocessing.center_crop import CenterCrop
from strata.layers.preprocessing.clahe import ContrastLimitedAdaptiveHistogramEqualization
from strata.layers.preprocessing.cut_mix import CutMix
from strata.layers.preprocessing.discretization import Discretization
from strata.layers.preprocessing.equalization import Equalization
from strata.layers.preprocessing.hashed_crossing import HashedCrossing
from strata.layers.preprocessing.hashing import Hashing
from strata.layers.preprocessing.integer_lookup import IntegerLookup
from strata.layers.preprocessing.max_num_bounding_boxes import MaxNumBoundingBoxes
from strata.layers.preprocessing.mix_up import MixUp
from strata.layers.preprocessing.normalization import Normalization
from strata.layers.preprocessing.pipeline import Pipeline
from strata.layers.preprocessing.rand_augment import RandAugment
from strata.layers.preprocessing.random_brightness import RandomBrightness
from strata.layers.preprocessing.random_color_degeneration import RandomColorDegeneration
from strata.layers.preprocessing.random_color_jitter import RandomColorJitter
from strata.layers.preprocessing.random_contrast import RandomContrast
from strata.layers.preprocessing.random_crop import RandomCrop
from strata.layers.preprocessing.random_elastic_transform import RandomElasticTransform
from strata.layers.preprocessing.random_erasing import RandomErasing
from strata.layers.preprocessing.random_flip import RandomFlip
from strata.layers.preprocessing.random_gaussian_blur import RandomGaussianBlur
from strata.layers.preprocessing.random_grayscale import RandomGrayscale
from strata.layers.preprocessing.random_hue import RandomHue
from strata.layers.preprocessing.random_invert import RandomInvert
from strata.layers.preprocessing.random_perspective import RandomPerspective
from strata.layers.preprocessing.random_posterization import RandomPosterization
from strata.layers.preprocessing.random_rotation import RandomRotation
from strata.layers.preprocessing.random_saturation import RandomSaturation
from strata.layers.preprocessing.random_sharpness import RandomSharpness
from strata.layers.preprocessing.random_shear import RandomShear
from strata.layers.preprocessing.random_translation import RandomTranslation
from strata.layers.preprocessing.random_zoom import RandomZoom
from strata.layers.preprocessing.rescaling import Rescaling
from strata.layers.preprocessing.resizing import Resizing
from strata.layers.preprocessing.solarization import Solarization
from strata.layers.preprocessing.string_lookup import StringLookup
from strata.layers.preprocessing.text_vectorization import TextVectorization

__all__ = [
    "AugMix",
    "AutoContrast",
    "CategoryEncoding",
    "CenterCrop",
    "ContrastLimitedAdaptiveHistogramEqualization",
    "CutMix",
    "Discretization",
    "Equalization",
    "HashedCrossing",
    "Hashing",
    "IntegerLookup",
    "MaxNumBoundingBoxes",
    "MixUp",
    "Normalization",
    "Pipeline",
    "RandAugment",
    "RandomBrightness",
    "RandomColorDegeneration",
    "RandomColorJitter",
    "RandomContrast",
    "RandomCrop",
    "RandomElasticTransform",
    "RandomErasing",
    "RandomFlip",
    "RandomGaussianBlur",
    "RandomGrayscale",
    "RandomHue",
    "RandomInvert",
    "RandomPerspective",
    "RandomPosterization",
    "RandomRotation",
    "RandomSaturation",
    "RandomSharpness",
    "RandomShear",
    "RandomTranslation",
    "RandomZoom",
    "Rescaling",
    "Resizing",
    "Solarization",
    "StringLookup",
    "TextVectorization",
]
