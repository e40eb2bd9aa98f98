"""Normalization layers: batch, layer, group, unit, RMS and spectral normalization."""

from strata.layers.normalization.batch_normalization import BatchNormalization
from strata.layers.normalization.group_normalization import GroupNormalization
from strata.layers.normalization.layer_normalization import LayerNormalization
from strata.layers.normalization.rms_normalization import RMSNormalization
from strata.layers.normalization.spectral_normalization import SpectralNormalization
from strata.layers.normalization.unit_normalization import UnitNormalization

__all__ = [
    "BatchNormalization",
    "GroupNormalization",
    "LayerNormalization",
    "RMSNormalization",
    "SpectralNormalization",
    "UnitNormalization",
]
