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

SPECS += [
    LayerSpec(
        layers.SpectralNormalization,
        {"layer": layers.Dense(3)},
        (2, 4),
        (2, 3),
        expected_trainable=2,
        expected_non_trainable=1,
    ),
    LayerSpec(
        layers.SpectralNormalization,
        {"layer": layers.Conv2D(2, 2), "power_iterations": 2},
        (2, 4, 4, 3),
        (2, 3, 3, 2),
        expected_trainable=2,
        expected_non_trainable=1,
        id="SpectralNormalization-conv-two-iterations",
    ),
]
