from strata import layers
from strata.testing import LayerSpec

SPECS = [
    LayerSpec(layers.AlphaDropout, {"rate": 0.2}, (4, 6), (4, 6), random_in_training=True),
    LayerSpec(
        layers.AlphaDropout,
        {"rate": 0.5, "noise_shape": [None, 1, 6], "seed": 2},
        (4, 3, 6),
        (4, 3, 6),
        random_in_training=True,
        id="AlphaDropout-noise_shape",
    ),
    LayerSpec(layers.GaussianNoise, {"stddev": 0.3}, (4, 6), (4, 6), random_in_training=True),
    LayerSpec(
        layers.GaussianDropout, {"rate": 0.3, "seed": 1}, (4, 6), (4, 6), random_in_training=True
    ),
    LayerSpec(
        layers.SpatialDropout1D, {"rate": 0.5}, (2, 7, 3), (2, 7, 3), random_in_training=True
    ),
    LayerSpec(
        layers.SpatialDropout2D, {"rate": 0.5}, (2, 4, 4, 3), (2, 4, 4, 3), random_in_training=True
    ),
    LayerSpec(
        layers.SpatialDropout2D,
        {"rate": 0.5, "data_format": "channels_first"},
        (2, 3, 4, 4),
        (2, 3, 4, 4),
        random_in_training=True,
        id="SpatialDropout2D-channels_first",
    ),
    LayerSpec(
        layers.SpatialDropout3D,
        {"rate": 0.25, "seed": 5},
        (2, 3, 3, 3, 2),
        (2, 3, 3, 3, 2),
        random_in_training=True,
    ),
    LayerSpec(layers.ActivityRegularization, {"l1": 0.01, "l2": 0.02}, (2, 5), (2, 5)),
]
