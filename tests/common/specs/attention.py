"""Specs of the attention layers and the layers that came with them (EinsumDense, ...)."""

from strata import layers
from strata.testing import LayerSpec

SPECS = [
    LayerSpec(
        layers.EinsumDense,
        {"equation": "abc,cde->abde", "output_shape": [None, 2, 3], "bias_axes": "de"},
        (2, 4, 5),
        (2, 4, 2, 3),
        expected_trainable=2,
    ),
    LayerSpec(
        layers.EinsumDense,
        {"equation": "...b,bc->...c", "output_shape": 3, "activation": "tanh"},
        (2, 4, 5),
        (2, 4, 3),
        expected_trainable=1,
        id="EinsumDense-ellipsis-nobias",
    ),
]
