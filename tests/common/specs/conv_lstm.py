"""Specs of ConvLSTM1D, ConvLSTM2D and ConvLSTM3D."""

from strata import layers
from strata.testing import LayerSpec

SPECS = [
    LayerSpec(
        layers.ConvLSTM1D,
        {"filters": 2, "kernel_size": 2},
        (2, 3, 5, 2),
        (2, 4, 2),
        expected_trainable=3,
    ),
    LayerSpec(
        layers.ConvLSTM1D,
        {
            "filters": 2,
            "kernel_size": 3,
            "padding": "same",
            "return_sequences": True,
            "return_state": True,
            "dropout": 0.2,
            "recurrent_dropout": 0.2,
            "seed": 1,
        },
        (2, 3, 4, 2),
        [(2, 3, 4, 2), (2, 4, 2), (2, 4, 2)],
        random_in_training=True,
        id="ConvLSTM1D-same-sequences-state-dropout",
    ),
    LayerSpec(
        layers.ConvLSTM2D,
        {"filters": 2, "kernel_size": 2, "strides": 2},
        (2, 3, 5, 4, 2),
        (2, 2, 2, 2),
        expected_trainable=3,
    ),
    LayerSpec(
        layers.ConvLSTM2D,
        {"filters": 2, "kernel_size": 2, "data_format": "channels_first", "go_backwards": True},
        (2, 3, 2, 4, 4),
        (2, 2, 3, 3),
        id="ConvLSTM2D-channels_first-backwards",
    ),
    LayerSpec(
        layers.ConvLSTM3D,
        {"filters": 2, "kernel_size": 2, "use_bias": False},
        (1, 2, 3, 3, 3, 1),
        (1, 2, 2, 2, 2),
        expected_trainable=2,
    ),
]
