"""GroupQueryAttention: attention whose key/value heads are shared by groups of query heads."""

from __future__ import annotations

import math

from strata import constraints, initializers, regularizers
from strata.layers.attention import _common
from strata.layers.attention.multi_head_attention import MultiHeadAttention, _positive
from strata.layers.core.einsum_dense import EinsumDense
from strata.layers.layer import Layer


class GroupQueryAttention(MultiHeadAttention):
    """Grouped-query attention (Ainslie et al., 2023), as Keras's `GroupQueryAttention`.

    `num_query_heads` query heads share `num_key_value_heads` key and value heads (each key/value
    head serves `num_query_heads // num_key_value_heads` consecutive query heads). The sublayers
    and weights are Keras's: `query (dim, num_query_heads, head_dim)`, `key` and `value`
    `(dim, num_key_value_heads, head_dim)`, an optional sigmoid `gate`, and
    `attention_output (num_query_heads, head_dim, dim)`. Without dropout in training and
    without `return_attention_scores`, torch's fused kernel runs with its grouped-query support
    (no copies of the key and value heads).

    Args:
        head_dim: size of each head.
        num_query_heads: number of query heads.
        num_key_value_heads: number of key and value heads; divides `num_query_heads`.
        dropout: dropout rate on the attention weights (in training).
        use_bias: whether the projections have biases.
        sliding_window: when set, position t attends only to positions within
            `sliding_window - 1` of t.
        flash_attention: `True` insists on the fused path (incompatible with dropout).
        kernel_initializer, bias_initializer: initializers of the projections.
        kernel_regularizer, bias_regularizer: penalties of the projections.
        activity_regularizer: penalty on each projection's output and on the layer's output.
        kernel_constraint, bias_constraint: projections' constraints.
        use_gate: a sigmoid gate of the query multiplies the attention output.
        seed: seed of the attention dropout.

    Call arguments:
        As `MultiHeadAttention`: `query (B, T, dim)`, `value (B, S, dim)`, `key`, the masks,
        `return_attention_scores`, `training`, `use_causal_mask`.

    Returns:
        `(B, T, dim)`, and the `(B, num_query_heads, T, S)` weights when asked for.

    Example:
        >>> import strata
        >>> layer = strata.layers.GroupQueryAttention(
        ...     head_dim=4, num_query_heads=4, num_key_value_heads=2)
        >>> x = strata.Input(shape=(6, 8))
        >>> layer(x, x).shape
        (None, 6, 8)
        >>> [tuple(w.shape) for w in layer.get_weights()][::2]
        [(8, 4, 4), (8, 2, 4), (8, 2, 4), (4, 4, 8)]
    """

    def __init__(
        self,
        head_dim,
        num_query_heads,
        num_key_value_heads,
        dropout=0.0,
        use_bias=True,
        sliding_window=None,
        flash_attention=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        use_gate=False,
        seed=None,
        **kwargs,
    ):
        Layer.__init__(self, activity_regularizer=activity_regularizer, **kwargs)
        for name, value in (
            ("head_dim", head_dim),
            ("num_query_heads", num_query_heads),
            ("num_key_value_heads", num_key_value_heads),
        ):
            if not _positive(value):
                raise ValueError(
                    f"GroupQueryAttention expected a positive integer `{name}`; "
                    f"received {name}={value!r}."
                )
        if num_query_heads % num_key_value_heads:
            raise ValueError(
                "GroupQueryAttention expected num_query_heads divisible by num_key_value_heads; "
                f"received {num_query_heads} and {num_key_value_heads}."
            )
        if sliding_window is not None and not _positive(sliding_window):
            raise ValueError(
                "GroupQueryAttention expected a positive integer `sliding_window` or None; "
                f"received sliding_window={sliding_window!r}."
            )
        if not 0.0 <= float(dropout) <= 1.0:
            raise ValueError(
                f"GroupQueryAttention expected dropout in [0, 1]; received {dropout!r}."
            )
        if flash_attention and dropout > 0.0:
            raise ValueError(
                "GroupQueryAttention expected dropout=0.0 with flash_attention=True; "
                f"received dropout={dropout!r}."
            )
        self.supports_masking = True
        self.head_dim = head_dim
        self.num_query_heads = num_query_heads
        self.num_key_value_heads = num_key_value_heads
        self.num_repeats = num_query_heads // num_key_value_heads
        # What MultiHeadAttention's shared methods read.
        self.num_heads, self.key_dim, self.value_dim = num_query_heads, head_dim, head_dim
        self._output_shape, self.attention_axes = None, None
        self.dropout = float(dropout)
        self.use_bias = bool(use_bias)
        self.use_gate = bool(use_gate)
        self.sliding_window = sliding_window
        self.flash_attention = flash_attention
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self._projection_activity_regularizer = self.activity_regularizer
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(head_dim))

    def build(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is None:
            raise ValueError("GroupQueryAttention needs the value's shape as well as the query's.")
        key_shape = value_shape if key_shape is None else key_shape
        for name, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if len(shape) != 3:
                raise ValueError(
                    f"GroupQueryAttention expected a {name} of shape (batch, length, features); "
                    f"received {tuple(shape)}."
                )
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError(
                "GroupQueryAttention expected value and key shapes equal except in the last "
                f"axis; received value {tuple(value_shape)} and key {tuple(key_shape)}."
            )
        query_heads = (self.num_query_heads, self.head_dim)
        shared_heads = (self.num_key_value_heads, self.head_dim)
        self._query_dense = self._projection(query_shape, query_heads, "query")
        self._key_dense = self._projection(key_shape, shared_heads, "key")
        if self.use_gate:
            self._gate_dense = self._projection(query_shape, query_heads, "gate", "sigmoid")
        self._value_dense = self._projection(value_shape, shared_heads, "value")
        self._build_attention(4)
        equation, bias_axes, _ = _common.projection_equation(2, 2, 1)
        self._output_dense = EinsumDense(
            equation,
            output_shape=[None, query_shape[-1]],
            bias_axes=bias_axes if self.use_bias else None,
            name="attention_output",
            **self._sublayer_kwargs(),
        )
        self._output_dense._build_for((None, None, *query_heads))
        self.built = True

    def _compute_attention(
        self,
        query,
        key,
        value,
        attention_mask=None,
        training=None,
        return_attention_scores=False,
        use_causal_mask=False,
    ):
        if self.num_repeats > 1 and not self._uses_fused_path(training, return_attention_scores):
            key = key.repeat_interleave(self.num_repeats, dim=2)
            value = value.repeat_interleave(self.num_repeats, dim=2)
        return super()._compute_attention(
            query, key, value, attention_mask, training, return_attention_scores, use_causal_mask
        )

    def _fused_attention(self, query, key, value, attention_mask, use_causal_mask, **options):
        # torch's kernel shares each key/value head among its group of query heads itself.
        options.setdefault("enable_gqa", self.num_repeats > 1)
        return super()._fused_attention(
            query, key, value, attention_mask, use_causal_mask, **options
        )

    def get_config(self):
        return {
            **Layer.get_config(self),
            "head_dim": self.head_dim,
            "num_query_heads": self.num_query_heads,
            "num_key_value_heads": self.num_key_value_heads,
            "use_bias": self.use_bias,
            "use_gate": self.use_gate,
            "sliding_window": self.sliding_window,
            "dropout": self.dropout,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "seed": self.seed,
        }
