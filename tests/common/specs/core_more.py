"""Specs of Wrapper and ReversibleEmbedding."""

from strata import layers
from strata.testing import LayerSpec

SPECS = [
    LayerSpec(layers.Wrapper, {"layer": layers.Dense(3)}, (2, 4), (2, 3), expected_trainable=2),
]

SPECS += [
    LayerSpec(
        layers.ReversibleEmbedding,
        {"input_dim": 10, "output_dim": 4, "tie_weights": False, "mask_zero": True},
        (2, 5),
        (2, 5, 4),
        input_dtype="int64",
        expected_trainable=2,
        trains=False,  # reverse_embeddings only moves when the reverse projection is used
    ),
]
