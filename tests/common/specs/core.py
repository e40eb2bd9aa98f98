from strata import layers
from strata.testing import LayerSpec

SPECS = [
    LayerSpec(layers.Dense, {"units": 4}, (2, 3), (2, 4), expected_trainable=2),
    LayerSpec(
        layers.Dense,
        {"units": 5, "activation": "relu", "use_bias": False, "kernel_regularizer": "l2"},
        (2, 7, 3),
        (2, 7, 5),
        expected_trainable=1,
        trains=False,
        id="Dense-3d-nobias",
    ),
]
