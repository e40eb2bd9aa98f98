from strata import layers
from strata.testing import LayerSpec

_POOL = {"expected_trainable": 0, "expected_non_trainable": 0}

SPECS = [
    LayerSpec(layers.MaxPooling1D, {}, (2, 7, 3), (2, 3, 3), **_POOL),
    LayerSpec(
        layers.MaxPooling2D,
        {"pool_size": 3, "strides": 2, "padding": "same"},
        (2, 6, 7, 3),
        (2, 3, 4, 3),
        **_POOL,
    ),
    LayerSpec(layers.MaxPooling3D, {}, (2, 4, 5, 4, 2), (2, 2, 2, 2, 2), **_POOL),
    LayerSpec(
        layers.AveragePooling1D, {"pool_size": 2, "padding": "same"}, (2, 7, 3), (2, 4, 3), **_POOL
    ),
    LayerSpec(
        layers.AveragePooling2D,
        {"pool_size": 2, "data_format": "channels_first"},
        (2, 3, 6, 5),
        (2, 3, 3, 2),
        **_POOL,
    ),
    LayerSpec(
        layers.AveragePooling3D,
        {"pool_size": 2, "padding": "same"},
        (2, 3, 4, 5, 2),
        (2, 2, 2, 3, 2),
        **_POOL,
    ),
    LayerSpec(layers.GlobalMaxPooling1D, {}, (2, 7, 3), (2, 3), **_POOL),
    LayerSpec(layers.GlobalMaxPooling2D, {"keepdims": True}, (2, 5, 4, 3), (2, 1, 1, 3), **_POOL),
    LayerSpec(
        layers.GlobalMaxPooling3D,
        {"data_format": "channels_first"},
        (2, 3, 2, 4, 4),
        (2, 3),
        **_POOL,
    ),
    LayerSpec(layers.GlobalAveragePooling1D, {}, (2, 7, 3), (2, 3), **_POOL),
    LayerSpec(layers.GlobalAveragePooling2D, {}, (2, 5, 4, 3), (2, 3), **_POOL),
    LayerSpec(
        layers.GlobalAveragePooling3D, {"keepdims": True}, (2, 2, 3, 4, 3), (2, 1, 1, 1, 3), **_POOL
    ),
]
