"""Normalization layers: batch, layer, group and unit normalization."""

from strata.layers.normalization.batch_normalization import BatchNormalization
from strata.layers.normalization.group_normalization import GroupNormalization
from strata.layers.normalization.layer_normalization import LayerNormalization
from strata.layers.normalization.unit_normalization import UnitNormalization

__all__ = [
    "BatchNormalization",
    "GroupNormalization",
    "LayerNormalization",
    "UnitNormalization",
]
