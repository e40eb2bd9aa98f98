"""Specs of Wrapper and ReversibleEmbedding."""

from strata import layers
from strata.testing import LayerSpec

SPECS = [
    LayerSpec(layers.Wrapper, {"layer": layers.Dense(3)}, (2, 4), (2, 3), expected_trainable=2),
]
