"""Attention layers: multi-head, grouped-query, dot-product and additive attention."""

from strata.layers.attention.additive_attention import AdditiveAttention
from strata.layers.attention.attention import Attention
from strata.layers.attention.grouped_query_attention import GroupQueryAttention
from strata.layers.attention.multi_head_attention import MultiHeadAttention

__all__ = [
    "AdditiveAttention",
    "Attention",
    "GroupQueryAttention",
    "MultiHeadAttention",
]
