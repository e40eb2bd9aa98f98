"""Specs of the adaptive pooling layers."""

from strata import layers
from strata.testing import LayerSpec

SPECS = []
for _kind in ("Average", "Max"):
    SPECS += [
        LayerSpec(
            getattr(layers, f"Adaptive{_kind}Pooling1D"), {"output_size": 3}, (2, 7, 2), (2, 3, 2)
        ),
        LayerSpec(
            getattr(layers, f"Adaptive{_kind}Pooling2D"),
            {"output_size": (2, 3)},
            (2, 5, 7, 2),
            (2, 2, 3, 2),
        ),
        LayerSpec(
            getattr(layers, f"Adaptive{_kind}Pooling2D"),
            {"output_size": 2, "data_format": "channels_first"},
            (2, 3, 5, 4),
            (2, 3, 2, 2),
            id=f"Adaptive{_kind}Pooling2D-channels_first",
        ),
        LayerSpec(
            getattr(layers, f"Adaptive{_kind}Pooling3D"),
            {"output_size": 2},
            (1, 4, 5, 3, 2),
            (1, 2, 2, 2, 2),
        ),
    ]
