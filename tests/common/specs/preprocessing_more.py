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

SPECS += [
    LayerSpec(
        layers.Normalization,
        {"axis": -1},
        (4, 3),
        (4, 3),
        expected_trainable=0,
        expected_non_trainable=3,
    ),
    LayerSpec(
        layers.Normalization,
        {"axis": (1, 2), "invert": True},
        (4, 2, 3),
        (4, 2, 3),
        expected_trainable=0,
        expected_non_trainable=3,
        id="Normalization-invert-2-axes",
    ),
    LayerSpec(
        layers.Normalization,
        {"mean": [0.5, 1.0, 2.0], "variance": [1.0, 2.0, 3.0]},
        (4, 3),
        (4, 3),
        expected_trainable=0,
        expected_non_trainable=0,
        id="Normalization-given",
    ),
    LayerSpec(layers.Discretization, {"bin_boundaries": [-1.0, 0.0, 1.0]}, (4, 3), (4, 3)),
    LayerSpec(
        layers.Discretization,
        {"bin_boundaries": [0.0, 1.0], "output_mode": "one_hot"},
        (4, 1),
        (4, 3),
        id="Discretization-one-hot",
    ),
    LayerSpec(
        layers.CategoryEncoding, {"num_tokens": 6}, (4, 3), (4, 6), input_dtype="int64", int_high=6
    ),
    LayerSpec(
        layers.CategoryEncoding,
        {"num_tokens": 6, "output_mode": "one_hot"},
        (4, 3),
        (4, 3, 6),
        input_dtype="int64",
        int_high=6,
        id="CategoryEncoding-one-hot",
    ),
    LayerSpec(
        layers.CategoryEncoding,
        {"num_tokens": 6, "output_mode": "count"},
        (4, 3),
        (4, 6),
        input_dtype="int32",
        int_high=6,
        id="CategoryEncoding-count",
    ),
]

SPECS += [
    LayerSpec(
        layers.IntegerLookup,
        {"vocabulary": [1, 3, 5, 7]},
        (4, 3),
        (4, 3),
        input_dtype="int64",
        int_high=9,
        expected_trainable=0,
    ),
    LayerSpec(
        layers.IntegerLookup,
        {"vocabulary": [1, 3, 5, 7], "output_mode": "multi_hot", "mask_token": 0},
        (4, 3),
        (4, 5),
        input_dtype="int64",
        int_high=9,
        id="IntegerLookup-multi-hot",
    ),
    LayerSpec(
        layers.IntegerLookup,
        {"vocabulary": [4, 2], "idf_weights": [0.5, 2.0], "output_mode": "tf_idf"},
        (4, 3),
        (4, 3),
        input_dtype="int64",
        int_high=6,
        id="IntegerLookup-tf-idf",
    ),
    LayerSpec(
        layers.IntegerLookup,
        {"vocabulary": [10, 20, 30], "invert": True},
        (4, 3),
        (4, 3),
        input_dtype="int64",
        int_high=5,
        id="IntegerLookup-invert",
    ),
]

SPECS += [
    LayerSpec(layers.Hashing, {"num_bins": 5}, (4, 3), (4, 3), input_dtype="int64", int_high=50),
    LayerSpec(
        layers.Hashing,
        {"num_bins": 5, "mask_value": 0, "output_mode": "multi_hot"},
        (4, 3),
        (4, 5),
        input_dtype="int64",
        int_high=50,
        id="Hashing-masked-multi-hot",
    ),
    LayerSpec(
        layers.Hashing,
        {"num_bins": 6, "salt": [1, 2], "output_mode": "count"},
        (4, 3),
        (4, 6),
        input_dtype="int32",
        int_high=50,
        id="Hashing-salted-count",
    ),
    LayerSpec(
        layers.HashedCrossing,
        {"num_bins": 7},
        [(4, 1), (4, 1)],
        (4, 1),
        input_dtype="int64",
        int_high=20,
    ),
    LayerSpec(
        layers.HashedCrossing,
        {"num_bins": 7, "output_mode": "one_hot"},
        [(4, 1), (4, 1), (4, 1)],
        (4, 7),
        input_dtype="int64",
        int_high=20,
        id="HashedCrossing-one-hot-three",
    ),
]

SPECS += [
    LayerSpec(
        layers.Pipeline,
        {"layers": [layers.Rescaling(0.5), layers.Resizing(3, 2)]},
        (2, 5, 4, 3),
        (2, 3, 2, 3),
        expected_trainable=0,
    ),
    LayerSpec(
        layers.Pipeline,
        {"layers": [layers.RandomFlip(seed=1), layers.Dense(2)]},
        (2, 4, 4, 3),
        (2, 4, 4, 2),
        expected_trainable=2,
        random_in_training=True,
        id="Pipeline-flip-then-dense",
    ),
]
