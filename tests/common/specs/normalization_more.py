"""Specs of RMSNormalization and SpectralNormalization."""

from strata import layers
from strata.testing import LayerSpec

SPECS = [
    LayerSpec(layers.RMSNormalization, {}, (2, 3, 4), (2, 3, 4), expected_trainable=1),
    LayerSpec(
        layers.RMSNormalization,
        {"axis": 1, "epsilon": 1e-3},
        (2, 3, 4),
        (2, 3, 4),
        expected_trainable=1,
        id="RMSNormalization-middle-axis",
    ),
]
