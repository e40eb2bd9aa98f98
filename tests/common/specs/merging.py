from strata import layers
from strata.testing import LayerSpec

_TWO = [(2, 3, 4), (2, 3, 4)]

SPECS = [
    LayerSpec(layers.Add, {}, _TWO, (2, 3, 4)),
    LayerSpec(layers.Add, {}, [(2, 4), (2, 3, 4), (2, 1, 4)], (2, 3, 4), id="Add-broadcast"),
    LayerSpec(layers.Subtract, {}, _TWO, (2, 3, 4)),
    LayerSpec(layers.Multiply, {}, _TWO, (2, 3, 4)),
    LayerSpec(layers.Average, {}, [(2, 5), (2, 5), (2, 5)], (2, 5)),
    LayerSpec(layers.Maximum, {}, _TWO, (2, 3, 4)),
    LayerSpec(layers.Minimum, {}, _TWO, (2, 3, 4)),
    LayerSpec(layers.Concatenate, {}, [(2, 3, 4), (2, 3, 2)], (2, 3, 6)),
    LayerSpec(
        layers.Concatenate, {"axis": 1}, [(2, 3, 4), (2, 5, 4)], (2, 8, 4), id="Concatenate-axis1"
    ),
    LayerSpec(layers.Dot, {"axes": 1}, [(2, 4), (2, 4)], (2, 1)),
    LayerSpec(
        layers.Dot,
        {"axes": (2, 2), "normalize": True},
        [(2, 3, 4), (2, 5, 4)],
        (2, 3, 5),
        id="Dot-3d-normalize",
    ),
]
