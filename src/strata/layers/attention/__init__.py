"""Attention layers: multi-head, grouped-query, dot-product and additive attention."""

from strata.layers.attention.multi_head_attention import MultiHeadAttention

__all__ = [
    "MultiHeadAttention",
]
