"""Regularization layers (noise and dropout variants, activity penalties)."""

from strata.layers.regularization.activity_regularization import ActivityRegularization
from strata.layers.regularization.alpha_dropout import AlphaDropout
from strata.layers.regularization.gaussian_dropout import GaussianDropout
from strata.layers.regularization.gaussian_noise import GaussianNoise
from strata.layers.regularization.spatial_dropout1d import SpatialDropout1D
from strata.layers.regularization.spatial_dropout2d import SpatialDropout2D
from strata.layers.regularization.spatial_dropout3d import SpatialDropout3D

__all__ = [
    "ActivityRegularization",
    "AlphaDropout",
    "GaussianDropout",
    "GaussianNoise",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
]
