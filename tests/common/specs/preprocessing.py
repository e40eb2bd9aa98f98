from strata import layers
from strata.testing import LayerSpec

SPECS = [
    LayerSpec(
        layers.Rescaling, {"scale": 1 / 255}, (2, 4, 4, 3), (2, 4, 4, 3), expected_trainable=0
    ),
    LayerSpec(
        layers.Rescaling,
        {"scale": [0.5, 2.0, 1.0], "offset": -1.0},
        (2, 5, 3),
        (2, 5, 3),
        input_dtype="int32",
        int_high=255,
        expected_trainable=0,
        id="Rescaling-per-channel-int",
    ),
    LayerSpec(
        layers.RandomFlip,
        {"seed": 3},
        (4, 5, 6, 3),
        (4, 5, 6, 3),
        expected_trainable=0,
        random_in_training=True,
    ),
    LayerSpec(
        layers.RandomFlip,
        {"mode": "vertical", "data_format": "channels_first"},
        (4, 3, 5, 6),
        (4, 3, 5, 6),
        expected_trainable=0,
        random_in_training=True,
        id="RandomFlip-vertical-channels-first",
    ),
]
