"""Specs of the non-augmentation preprocessing layers (Resizing ... Pipeline).

String layers (StringLookup, TextVectorization, Hashing/HashedCrossing on strings) take NumPy
string arrays eagerly and cannot sit behind a symbolic `Input`; their specs here use integer
inputs where Keras allows them, and the string paths have their own tests.
"""

from strata import layers
from strata.testing import LayerSpec

SPECS = [
    LayerSpec(
        layers.Resizing, {"height": 3, "width": 4}, (2, 5, 6, 3), (2, 3, 4, 3), expected_trainable=0
    ),
    LayerSpec(
        layers.Resizing,
        {
            "height": 4,
            "width": 2,
            "interpolation": "nearest",
            "pad_to_aspect_ratio": True,
            "data_format": "channels_first",
        },
        (2, 3, 5, 6),
        (2, 3, 4, 2),
        expected_trainable=0,
        id="Resizing-nearest-pad-channels-first",
    ),
    LayerSpec(
        layers.CenterCrop,
        {"height": 2, "width": 3},
        (2, 5, 6, 3),
        (2, 2, 3, 3),
        expected_trainable=0,
    ),
    LayerSpec(
        layers.CenterCrop,
        {"height": 8, "width": 3},
        (2, 5, 6, 3),
        (2, 8, 3, 3),
        expected_trainable=0,
        id="CenterCrop-upscale",
    ),
]
