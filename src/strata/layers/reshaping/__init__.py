from strata.layers.reshaping.cropping import Cropping1D, Cropping2D, Cropping3D
from strata.layers.reshaping.up_sampling import UpSampling1D, UpSampling2D, UpSampling3D
from strata.layers.reshaping.zero_padding import ZeroPadding1D, ZeroPadding2D, ZeroPadding3D

__all__ = [
    "Cropping1D",
    "Cropping2D",
    "Cropping3D",
    "UpSampling1D",
    "UpSampling2D",
    "UpSampling3D",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "ZeroPadding3D",
]
