from strata import layers
from strata.testing import LayerSpec

SPECS = [
    LayerSpec(layers.ReLU, {}, (2, 3), (2, 3), expected_trainable=0),
    LayerSpec(
        layers.ReLU,
        {"max_value": 1.0, "negative_slope": 0.1, "threshold": 0.2},
        (2, 3, 4),
        (2, 3, 4),
        id="ReLU-options",
    ),
    LayerSpec(layers.LeakyReLU, {}, (2, 3), (2, 3)),
    LayerSpec(
        layers.LeakyReLU, {"negative_slope": 0.01}, (2, 3, 4), (2, 3, 4), id="LeakyReLU-slope"
    ),
    LayerSpec(layers.PReLU, {}, (4, 3), (4, 3), expected_trainable=1),
    LayerSpec(
        layers.PReLU,
        {"shared_axes": [1, 2], "alpha_initializer": "ones"},
        (4, 5, 5, 3),
        (4, 5, 5, 3),
        expected_trainable=1,
        id="PReLU-shared",
    ),
    LayerSpec(layers.ELU, {"alpha": 0.5}, (2, 3), (2, 3)),
    LayerSpec(layers.Softmax, {}, (2, 5), (2, 5)),
    LayerSpec(layers.Softmax, {"axis": [1, 2]}, (2, 3, 4), (2, 3, 4), id="Softmax-axes"),
    LayerSpec(layers.RReLU, {}, (4, 6), (4, 6), random_in_training=True),
    LayerSpec(
        layers.RReLU,
        {"lower": 0.2, "upper": 0.4, "seed": 3},
        (4, 6),
        (4, 6),
        random_in_training=True,
        id="RReLU-seeded",
    ),
]
