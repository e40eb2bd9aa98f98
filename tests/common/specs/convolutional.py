from strata import layers
from strata.testing import LayerSpec

SPECS = [
    LayerSpec(
        layers.Conv1D, {"filters": 4, "kernel_size": 3}, (2, 7, 3), (2, 5, 4), expected_trainable=2
    ),
    LayerSpec(
        layers.Conv1D,
        {"filters": 4, "kernel_size": 2, "padding": "causal", "dilation_rate": 2, "groups": 2},
        (2, 6, 4),
        (2, 6, 4),
        expected_trainable=2,
        id="Conv1D-causal-groups",
    ),
    LayerSpec(
        layers.Conv2D,
        {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"},
        (2, 7, 6, 3),
        (2, 4, 3, 4),
        expected_trainable=2,
    ),
    LayerSpec(
        layers.Conv2D,
        {"filters": 5, "kernel_size": (2, 3), "data_format": "channels_first", "use_bias": False},
        (2, 3, 6, 6),
        (2, 5, 5, 4),
        expected_trainable=1,
        id="Conv2D-channels_first-nobias",
    ),
    LayerSpec(
        layers.Conv3D,
        {"filters": 2, "kernel_size": 2},
        (2, 4, 4, 4, 3),
        (2, 3, 3, 3, 2),
        expected_trainable=2,
    ),
    LayerSpec(
        layers.SeparableConv1D,
        {"filters": 4, "kernel_size": 3, "depth_multiplier": 2, "padding": "same"},
        (2, 8, 3),
        (2, 8, 4),
        expected_trainable=3,
    ),
    LayerSpec(
        layers.SeparableConv2D,
        {"filters": 4, "kernel_size": 3},
        (2, 6, 6, 3),
        (2, 4, 4, 4),
        expected_trainable=3,
    ),
    LayerSpec(
        layers.DepthwiseConv1D,
        {"kernel_size": 3, "depth_multiplier": 2},
        (2, 7, 3),
        (2, 5, 6),
        expected_trainable=2,
    ),
    LayerSpec(
        layers.DepthwiseConv2D,
        {"kernel_size": 3, "strides": 2, "padding": "same"},
        (2, 6, 6, 3),
        (2, 3, 3, 3),
        expected_trainable=2,
    ),
    LayerSpec(
        layers.Conv1DTranspose,
        {"filters": 4, "kernel_size": 3, "strides": 2},
        (2, 5, 3),
        (2, 11, 4),
        expected_trainable=2,
    ),
    LayerSpec(
        layers.Conv2DTranspose,
        {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"},
        (2, 4, 5, 3),
        (2, 8, 10, 4),
        expected_trainable=2,
    ),
    LayerSpec(
        layers.Conv2DTranspose,
        {
            "filters": 2,
            "kernel_size": 3,
            "strides": 2,
            "output_padding": 1,
            "data_format": "channels_first",
        },
        (2, 3, 4, 4),
        (2, 2, 10, 10),
        expected_trainable=2,
        id="Conv2DTranspose-output_padding-channels_first",
    ),
    LayerSpec(
        layers.Conv3DTranspose,
        {"filters": 2, "kernel_size": 2, "strides": 2},
        (2, 2, 3, 2, 3),
        (2, 4, 6, 4, 2),
        expected_trainable=2,
    ),
]
