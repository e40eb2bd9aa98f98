"""The operation sets of RandAugment and AugMix, built from the single augmentation layers."""

from __future__ import annotations

import torch

from strata.layers.preprocessing.auto_contrast import AutoContrast
from strata.layers.preprocessing.equalization import Equalization
from strata.layers.preprocessing.random_brightness import RandomBrightness
from strata.layers.preprocessing.random_color_degeneration import RandomColorDegeneration
from strata.layers.preprocessing.random_contrast import RandomContrast
from strata.layers.preprocessing.random_posterization import RandomPosterization
from strata.layers.preprocessing.random_rotation import RandomRotation
from strata.layers.preprocessing.random_sharpness import RandomSharpness
from strata.layers.preprocessing.random_shear import RandomShear
from strata.layers.preprocessing.random_translation import RandomTranslation
from strata.layers.preprocessing.solarization import Solarization

GEOMETRIC_AND_TONAL = (
    "random_shear",
    "random_translation",
    "random_rotation",
    "random_posterization",
    "solarization",
    "auto_contrast",
    "equalization",
)
COLOUR = ("random_brightness", "random_color_degeneration", "random_contrast", "random_sharpness")


def build_operations(owner, names, factor, value_range, interpolation):
    """The named operations at strength `factor` (a `(lower, upper)` pair in [0, 1]).

    Every operation draws from `owner`'s random stream, so one seed fixes the whole policy.
    """
    makers = {
        "random_shear": lambda: RandomShear(factor, factor, interpolation=interpolation),
        "random_translation": lambda: RandomTranslation(
            factor, factor, interpolation=interpolation
        ),
        "random_rotation": lambda: RandomRotation(factor, interpolation=interpolation),
        "random_posterization": lambda: RandomPosterization(
            max(1, int(8 * factor[1])), value_range=value_range
        ),
        "solarization": lambda: Solarization(factor, factor, value_range=value_range),
        "auto_contrast": lambda: AutoContrast(value_range=value_range),
        "equalization": lambda: Equalization(value_range=value_range),
        "random_brightness": lambda: RandomBrightness(factor, value_range=value_range),
        "random_color_degeneration": lambda: RandomColorDegeneration(
            factor, value_range=value_range
        ),
        "random_contrast": lambda: RandomContrast(factor, value_range=value_range),
        "random_sharpness": lambda: RandomSharpness(factor, value_range=value_range),
    }
    operations = []
    for name in names:
        operation = makers[name]()
        operation._seeds = owner._seeds
        operations.append(operation)
    return tuple(operations)


def choose(owner, count):
    """An index in [0, count), drawn on the CPU from `owner`'s stream (no device round trip)."""
    return min(int(float(owner._seeds.uniform((), torch.empty(0))) * count), count - 1)
