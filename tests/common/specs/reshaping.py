from strata import layers
from strata.testing import LayerSpec

_FIRST = {"data_format": "channels_first"}

SPECS = [
    LayerSpec(layers.UpSampling1D, {"size": 2}, (2, 3, 4), (2, 6, 4)),
    LayerSpec(layers.UpSampling2D, {"size": (2, 3)}, (2, 3, 4, 2), (2, 6, 12, 2)),
    LayerSpec(
        layers.UpSampling2D,
        {"size": 2, "interpolation": "bilinear", **_FIRST},
        (2, 2, 3, 4),
        (2, 2, 6, 8),
        id="UpSampling2D-bilinear-channels_first",
    ),
    LayerSpec(layers.UpSampling3D, {"size": (1, 2, 3)}, (2, 2, 3, 4, 1), (2, 2, 6, 12, 1)),
    LayerSpec(layers.ZeroPadding1D, {"padding": (1, 2)}, (2, 3, 4), (2, 6, 4)),
    LayerSpec(layers.ZeroPadding2D, {"padding": ((1, 0), (2, 3))}, (2, 3, 4, 2), (2, 4, 9, 2)),
    LayerSpec(
        layers.ZeroPadding2D,
        {"padding": 1, **_FIRST},
        (2, 2, 3, 4),
        (2, 2, 5, 6),
        id="ZeroPadding2D-channels_first",
    ),
    LayerSpec(layers.ZeroPadding3D, {"padding": (1, 0, 2)}, (2, 2, 3, 4, 1), (2, 4, 3, 8, 1)),
    LayerSpec(layers.Cropping1D, {"cropping": (1, 2)}, (2, 6, 4), (2, 3, 4)),
    LayerSpec(layers.Cropping2D, {"cropping": ((1, 0), (2, 1))}, (2, 4, 5, 2), (2, 3, 2, 2)),
    LayerSpec(
        layers.Cropping2D,
        {"cropping": 1, **_FIRST},
        (2, 2, 4, 5),
        (2, 2, 2, 3),
        id="Cropping2D-channels_first",
    ),
    LayerSpec(layers.Cropping3D, {"cropping": 1}, (2, 4, 5, 6, 1), (2, 2, 3, 4, 1)),
]
