"""MultiHeadAttention: the attention of "Attention Is All You Need" (Vaswani et al., 2017)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from strata import constraints, initializers, regularizers
from strata.layers.attention import _common
from strata.layers.core.dropout import Dropout
from strata.layers.core.einsum_dense import EinsumDense
from strata.layers.layer import Layer


class MultiHeadAttention(Layer):
    """Multi-head attention over `query`, `value` and (optionally) `key`, as in Keras.

    The query, key and value are projected by `EinsumDense` sublayers named `query`, `key` and
    `value` (kernels `(features, num_heads, key_dim)`), attention runs per head, and the
    `attention_output` sublayer projects back (kernel `(num_heads, value_dim, features)`), so
    Keras's weights load as they are. Without attention-score dropout in training, without
    `return_attention_scores` and with the default attention axes, the attention runs in torch's
    fused `scaled_dot_product_attention` (flash or memory-efficient kernels where they apply).

    Masks: `attention_mask` `(B, T, S)` (True attends), `query_mask` `(B, T)`, `value_mask`
    and `key_mask` `(B, S)`, `use_causal_mask` and `sliding_window` are combined by logical AND.
    Inside a functional model the masks of the query, value and key tensors (from
    `Embedding(mask_zero=True)`, `Masking`, ...) fill the `*_mask` arguments, as in Keras.

    Args:
        num_heads: number of attention heads.
        key_dim: size of each head for query and key.
        value_dim: size of each head for value (default `key_dim`).
        dropout: dropout rate on the attention weights (in training).
        use_bias: whether the projections have biases.
        output_shape: the last dimensions of the output (default: the query's last dimension).
        attention_axes: the axes attention runs over (default: every axis between the batch
            and the features).
        sliding_window: when set, position t attends only to positions within
            `sliding_window - 1` of t.
        flash_attention: `True` insists on the fused path (incompatible with dropout);
            otherwise torch picks the fused kernel where the inputs allow. Not in the config, as
            in Keras.
        kernel_initializer, bias_initializer: initializers of the projections.
        kernel_regularizer, bias_regularizer, activity_regularizer: penalties of the
            projections (the activity penalty applies to each projection's output, as in Keras).
        kernel_constraint, bias_constraint: projections' constraints.
        use_gate: a sigmoid gate (a `gate` projection of the query) multiplies the attention
            output before the output projection.
        seed: seed of the attention dropout.

    Call arguments:
        query: `(B, T, dim)`; value: `(B, S, dim)`; key: `(B, S, dim)` (default `value`);
        query_mask, value_mask, key_mask, attention_mask: boolean masks (see above);
        return_attention_scores: also return the `(B, num_heads, T, S)` weights;
        training: whether dropout is active; use_causal_mask: each position sees only earlier
        ones.

    Returns:
        `(B, T, dim)` (or `output_shape`), and the attention scores when asked for.

    Example:
        >>> import strata
        >>> layer = strata.layers.MultiHeadAttention(num_heads=2, key_dim=4)
        >>> x = strata.Input(shape=(8, 16))
        >>> layer(x, x).shape
        (None, 8, 16)
        >>> layer.count_params()
        552
    """

    def __init__(
        self,
        num_heads,
        key_dim,
        value_dim=None,
        dropout=0.0,
        use_bias=True,
        output_shape=None,
        attention_axes=None,
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
        super().__init__(**kwargs)
        for name, value, optional in (
            ("num_heads", num_heads, False),
            ("key_dim", key_dim, False),
            ("value_dim", value_dim, True),
            ("sliding_window", sliding_window, True),
        ):
            if (value is None and not optional) or (value is not None and not _positive(value)):
                raise ValueError(
                    f"MultiHeadAttention expected a positive integer `{name}`"
                    f"{' or None' if optional else ''}; received {name}={value!r}."
                )
        if not 0.0 <= float(dropout) <= 1.0:
            raise ValueError(
                f"MultiHeadAttention expected dropout in [0, 1]; received {dropout!r}."
            )
        if flash_attention and dropout > 0.0:
            raise ValueError(
                "MultiHeadAttention expected dropout=0.0 with flash_attention=True (the fused "
                f"kernel applies no dropout); received dropout={dropout!r}."
            )
        if isinstance(output_shape, int):
            output_shape = (output_shape,)
        if output_shape is not None and not isinstance(output_shape, (list, tuple)):
            raise ValueError(
                "MultiHeadAttention expected output_shape as an int, tuple or list; "
                f"received {output_shape!r}."
            )
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        if attention_axes is not None and not isinstance(attention_axes, (list, tuple)):
            raise ValueError(
                "MultiHeadAttention expected attention_axes as an int, list or tuple; "
                f"received {attention_axes!r}."
            )
        self.supports_masking = True
        self.num_heads = num_heads
        self.key_dim = key_dim
        self.value_dim = value_dim or key_dim
        self.dropout = float(dropout)
        self.use_bias = bool(use_bias)
        self.use_gate = bool(use_gate)
        self._output_shape = tuple(output_shape) if output_shape else None
        self.attention_axes = tuple(attention_axes) if attention_axes is not None else None
        self.sliding_window = sliding_window
        self.flash_attention = flash_attention
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self._projection_activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(key_dim))

    # ----------------------------------------------------------------------------- building
    def __call__(self, query=None, value=None, key=None, **kwargs):
        if query is None or value is None:
            raise ValueError(
                f"Layer '{self.name}' (MultiHeadAttention) expected `query` and `value`; "
                f"received query={type(query).__name__}, value={type(value).__name__}."
            )
        value, key = _common.as_tensor(value), _common.as_tensor(key)
        if not self.built:
            self._build_with(_common.shape_of(query), value.shape, _common.shape_of(key))
        args = (query, value) if key is None else (query, value, key)
        return super().__call__(*args, **kwargs)

    def _build_with(self, query_shape, value_shape, key_shape):
        shapes = tuple(
            None if s is None else tuple(s) for s in (query_shape, value_shape, key_shape)
        )
        try:
            self.build(*shapes)
        except (ValueError, TypeError) as error:
            raise type(error)(
                f"Layer '{self.name}' ({type(self).__name__}) could not be built for query "
                f"{shapes[0]}, value {shapes[1]}, key {shapes[2]}: {error}"
            ) from error
        self.built = True
        self._built_shapes = shapes

    def get_build_config(self):
        if not self.built or not hasattr(self, "_built_shapes"):
            return None
        names = ("query_shape", "value_shape", "key_shape")
        shapes = {n: list(s) for n, s in zip(names, self._built_shapes) if s is not None}
        return {"shapes_dict": shapes}

    def build_from_config(self, build_config):
        if build_config and not self.built:
            shapes = build_config["shapes_dict"]
            self._build_with(shapes["query_shape"], shapes["value_shape"], shapes.get("key_shape"))

    def build(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is None:
            raise ValueError("MultiHeadAttention needs the value's shape as well as the query's.")
        key_shape = value_shape if key_shape is None else key_shape
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError(
                "MultiHeadAttention expected value and key shapes equal except in the last "
                f"axis; received value {tuple(value_shape)} and key {tuple(key_shape)}."
            )
        heads = (self.num_heads, self.key_dim)
        self._query_dense = self._projection(query_shape, heads, "query")
        self._key_dense = self._projection(key_shape, heads, "key")
        if self.use_gate:
            gate_heads = (self.num_heads, self.value_dim)
            self._gate_dense = self._projection(query_shape, gate_heads, "gate", "sigmoid")
        self._value_dense = self._projection(value_shape, (self.num_heads, self.value_dim), "value")
        rank = len(query_shape) + 1  # rank of the projected tensors
        self._build_attention(rank)
        out_shape = self._output_shape or (query_shape[-1],)
        equation, bias_axes, out_rank = _common.projection_equation(
            len(query_shape) - 1, 2, len(out_shape)
        )
        self._output_dense = EinsumDense(
            equation,
            output_shape=[None] * (out_rank - 1 - len(out_shape)) + list(out_shape),
            bias_axes=bias_axes if self.use_bias else None,
            name="attention_output",
            **self._sublayer_kwargs(),
        )
        projected = list(self._query_dense.compute_output_shape(tuple(query_shape)))
        projected[-1] = self.value_dim
        self._output_dense._build_for(tuple(projected))
        self.built = True

    def _projection(self, input_shape, heads, name, activation=None):
        equation, bias_axes, out_rank = _common.projection_equation(len(input_shape) - 1, 1, 2)
        layer = EinsumDense(
            equation,
            output_shape=[None] * (out_rank - 1 - 2) + list(heads),
            bias_axes=bias_axes if self.use_bias else None,
            activation=activation,
            name=name,
            **self._sublayer_kwargs(),
        )
        layer._build_for(tuple(input_shape))
        return layer

    def _sublayer_kwargs(self):
        # Fresh initializer objects per sublayer, so seeded ones do not repeat the same values.
        return {
            "kernel_initializer": _fresh(self.kernel_initializer),
            "bias_initializer": _fresh(self.bias_initializer),
            "kernel_regularizer": self.kernel_regularizer,
            "bias_regularizer": self.bias_regularizer,
            "activity_regularizer": self._projection_activity_regularizer,
            "kernel_constraint": self.kernel_constraint,
            "bias_constraint": self.bias_constraint,
            "dtype": self._dtype_name,
            "trainable": self.trainable,
        }

    def _build_attention(self, rank):
        """The equations of the attention for projected tensors of rank `rank`."""
        if self.attention_axes is None:
            axes = tuple(range(1, rank - 2))
        else:
            axes = tuple(a if a >= 0 else (rank - 1) + a for a in self.attention_axes)
        self._axes = axes
        self._dot_product_equation, self._combine_equation, _ = _common.attention_equations(
            rank, axes
        )
        self._fusable = rank == 4 and axes == (1,)
        self._dropout_layer = Dropout(rate=self.dropout, seed=self.seed)

    # ------------------------------------------------------------------------------ calling
    def call(
        self,
        query,
        value,
        key=None,
        query_mask=None,
        value_mask=None,
        key_mask=None,
        attention_mask=None,
        return_attention_scores=False,
        training=None,
        use_causal_mask=False,
    ):
        if key is None:
            key = value
        causal_only = (
            use_causal_mask
            and query_mask is None
            and value_mask is None
            and key_mask is None
            and attention_mask is None
            and self.sliding_window is None
            # A subclass's own _compute_attention gets the causal mask as an attention mask.
            and _is_builtin(type(self)._compute_attention)
        )
        if not causal_only:
            attention_mask = self._compute_attention_mask(
                query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask
            )
        gate = self._gate_dense(query) if self.use_gate else None
        query = self._query_dense(query)
        key = self._key_dense(key)
        value = self._value_dense(value)
        extra = {"use_causal_mask": True} if causal_only else {}
        output, scores = self._compute_attention(
            query, key, value, attention_mask, training, return_attention_scores, **extra
        )
        if gate is not None:
            output = output * gate
        output = self._output_dense(output)
        if return_attention_scores:
            return output, scores
        return output

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
        """Attention of projected `(B, T, N, key_dim)` tensors: `(output, scores or None)`."""
        dropout_active = bool(training) and self.dropout > 0.0
        if self._uses_fused_path(training, return_attention_scores):
            return self._fused_attention(query, key, value, attention_mask, use_causal_mask), None
        if use_causal_mask:
            causal = _common.causal_mask(query.shape[1], value.shape[1], query.device)
            attention_mask = _common.combine_masks(attention_mask, causal)
        query = query * self._inverse_sqrt_key_dim
        scores = torch.einsum(self._dot_product_equation, key, query)
        scores = _common.masked_softmax(scores, attention_mask, len(self._axes))
        weights = self._dropout_layer.call(scores, training=training) if dropout_active else scores
        output = torch.einsum(self._combine_equation, weights, value)
        return output, scores

    def _uses_fused_path(self, training, return_attention_scores):
        """Whether torch's fused kernel computes exactly what the explicit path would."""
        dropout_active = bool(training) and self.dropout > 0.0
        return self._fusable and not return_attention_scores and not dropout_active

    def _fused_attention(self, query, key, value, attention_mask, use_causal_mask, **options):
        bias = None
        if attention_mask is not None:
            mask = attention_mask.bool()
            while mask.dim() < 4:
                mask = mask.unsqueeze(-3)  # the heads axis
            bias = _common.sdpa_bias(mask, query.dtype)
        output = F.scaled_dot_product_attention(
            query.transpose(1, 2),
            key.transpose(1, 2),
            value.transpose(1, 2),
            attn_mask=bias,
            is_causal=bool(use_causal_mask) and bias is None,
            scale=self._inverse_sqrt_key_dim,
            **options,
        )
        return output.transpose(1, 2)

    def _compute_attention_mask(
        self,
        query,
        value,
        query_mask=None,
        value_mask=None,
        key_mask=None,
        attention_mask=None,
        use_causal_mask=False,
    ):
        """The `(B, T, S)` (or broadcastable) mask combining every mask given, or None."""
        masks = []
        if query_mask is not None:
            masks.append(query_mask.bool().unsqueeze(-1))
        for mask in (value_mask, key_mask):
            if mask is not None:
                masks.append(mask.bool().unsqueeze(-2))
        if use_causal_mask:
            masks.append(_common.causal_mask(query.shape[1], value.shape[1], query.device))
        if self.sliding_window is not None:
            masks.append(
                _common.window_mask(
                    query.shape[1], value.shape[1], self.sliding_window, query.device
                )
            )
        return _common.combine_masks(attention_mask, *masks)

    def compute_mask(self, inputs, mask=None):
        return mask  # the query's mask, as in Keras

    # ------------------------------------------------------------------------------- config
    @property
    def query_dense(self):
        return self._query_dense

    @property
    def key_dense(self):
        return self._key_dense

    @property
    def value_dense(self):
        return self._value_dense

    @property
    def output_dense(self):
        return self._output_dense

    def get_config(self):
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "value_dim": self.value_dim,
            "dropout": self.dropout,
            "use_bias": self.use_bias,
            "use_gate": self.use_gate,
            "output_shape": list(self._output_shape) if self._output_shape else None,
            "attention_axes": list(self.attention_axes) if self.attention_axes else None,
            "sliding_window": self.sliding_window,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self._projection_activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "seed": self.seed,
        }


def _is_builtin(method) -> bool:
    """Whether a `_compute_attention` is the library's own (not a user subclass's)."""
    return getattr(method, "__module__", "").startswith("strata.layers.attention.")


def _positive(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _fresh(initializer):
    if hasattr(initializer, "get_config"):
        return type(initializer)(**initializer.get_config())
    return initializer
