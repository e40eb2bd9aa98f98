"""Attention: dot-product (Luong-style) attention over a [query, value, key] list."""

from __future__ import annotations

import torch

from strata.layers.layer import Layer
from strata.layers.regularization._seed import SeedStream, check_seed


class Attention(Layer):
    """Dot-product attention, as Keras's `Attention` (Luong et al., 2015).

    Scores are `query @ key^T` (times a learned scalar `scale` with `use_scale=True`), or with
    `score_mode="concat"` `concat_score_weight * sum(tanh(scale * (query + key)))`; a softmax
    over the value positions weights the values.

    Args:
        use_scale: learn a scalar that multiplies the scores.
        score_mode: `"dot"` or `"concat"` (the latter adds a scalar `concat_score_weight`).
        dropout: dropout rate on the attention weights (in training).
        seed: seed of the dropout.

    Call arguments:
        inputs: `[query (B, Tq, dim), value (B, Tv, dim)]` or `[query, value, key (B, Tv, dim)]`.
        mask: `[query_mask (B, Tq), value_mask (B, Tv)]`; masked value positions get no
            weight, masked query positions give zeros. Filled from the inputs' masks in models.
        training: whether dropout is active.
        return_attention_scores: also return the `(B, Tq, Tv)` attention weights.
        use_causal_mask: position i attends only to positions j <= i.

    Returns:
        `(B, Tq, dim)`, and the weights when asked for.

    Example:
        >>> import torch, strata
        >>> query, value = torch.randn(2, 3, 4), torch.randn(2, 5, 4)
        >>> output, weights = strata.layers.Attention()([query, value],
        ...                                             return_attention_scores=True)
        >>> tuple(output.shape), tuple(weights.shape)
        ((2, 3, 4), (2, 3, 5))
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(
                f"{type(self).__name__} expected score_mode 'dot' or 'concat'; "
                f"received score_mode={score_mode!r}."
            )
        if not 0.0 <= float(dropout) <= 1.0:
            raise ValueError(
                f"{type(self).__name__} expected dropout in [0, 1]; received {dropout!r}."
            )
        self.use_scale = bool(use_scale)
        self.score_mode = score_mode
        self.dropout = float(dropout)
        self.seed = check_seed(seed, type(self).__name__)
        self._seeds = SeedStream(seed)
        self.supports_masking = True

    def build(self, input_shape):
        _check_inputs(self, input_shape)
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(
                name="concat_score_weight", shape=(), initializer="ones"
            )
        self.built = True

    def _calculate_scores(self, query, key):
        """`(B, Tq, Tv)` scores of every query position against every key position."""
        if self.score_mode == "dot":
            scores = torch.matmul(query, key.transpose(-2, -1))
            return scores * self.scale if self.scale is not None else scores
        summed = query.unsqueeze(-2) + key.unsqueeze(-3)
        if self.scale is not None:
            summed = self.scale * summed
        return self.concat_score_weight * torch.tanh(summed).sum(-1)

    def _apply_scores(self, scores, value, scores_mask=None, training=False):
        """Softmax of the scores (masked positions pushed down by a large number), dropout
        in training; returns `(weighted values, weights)`."""
        if scores_mask is not None:
            if scores_mask.dim() == 2:
                scores_mask = scores_mask.unsqueeze(-2)
            big = 65504.0 if scores.dtype == torch.float16 else 1.0e9
            scores = torch.where(scores_mask.bool(), scores, scores - big)
        weights = torch.softmax(scores, dim=-1)
        if training and self.dropout > 0.0:
            keep = self._seeds.uniform(weights.shape, weights) >= self.dropout
            weights = weights * keep / (1.0 - self.dropout)
        return torch.matmul(weights, value), weights

    def call(
        self,
        inputs,
        mask=None,
        training=False,
        return_attention_scores=False,
        use_causal_mask=False,
    ):
        _check_inputs(self, inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = _sequence_mask(mask[0], query) if mask else None
        value_mask = _sequence_mask(mask[1], value) if mask else None
        scores = self._calculate_scores(query, key)
        scores_mask = value_mask
        if use_causal_mask:
            rows = torch.arange(scores.shape[-2], device=scores.device).unsqueeze(-1)
            causal = (rows >= torch.arange(scores.shape[-1], device=scores.device)).unsqueeze(0)
            scores_mask = causal if value_mask is None else value_mask.bool().unsqueeze(-2) & causal
        output, weights = self._apply_scores(scores, value, scores_mask, training)
        if query_mask is not None:
            output = torch.where(query_mask.bool().unsqueeze(-1), output, 0.0)
        if return_attention_scores:
            return output, weights
        return output

    def compute_mask(self, inputs, mask=None):
        if mask is None or mask[0] is None:
            return None
        return mask[0]

    def get_config(self):
        return {
            **super().get_config(),
            "use_scale": self.use_scale,
            "score_mode": self.score_mode,
            "dropout": self.dropout,
            "seed": self.seed,
        }


def _sequence_mask(mask, like):
    """A `(B, T)` mask; one with a features axis as well (as `like`) is reduced over it."""
    if mask is not None and mask.dim() == like.dim():
        return mask.bool().any(-1)
    return mask


def _check_inputs(layer, inputs, mask=None):
    name = type(layer).__name__
    if not isinstance(inputs, (list, tuple)) or not 2 <= len(inputs) <= 3:
        raise ValueError(
            f"{name} expected a list [query, value] or [query, value, key]; received "
            f"{type(inputs).__name__}"
            f"{f' of length {len(inputs)}' if isinstance(inputs, (list, tuple)) else ''}."
        )
    if mask is not None and (not isinstance(mask, (list, tuple)) or not 2 <= len(mask) <= 3):
        raise ValueError(
            f"{name} expected mask as a list [query_mask, value_mask]; received {mask!r}."
        )
