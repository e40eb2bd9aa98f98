"""AdditiveAttention: Bahdanau-style attention over a [query, value, key] list."""

from __future__ import annotations

import torch

from strata.layers.attention.attention import Attention, _check_inputs


class AdditiveAttention(Attention):
    """Additive attention (Bahdanau et al., 2015), as Keras's `AdditiveAttention`.

    Scores are `sum(scale * tanh(query + key))` over the features, with `scale` a learned
    vector of the feature size (`use_scale=True`, the default); the rest is `Attention`'s.

    Args:
        use_scale: learn the `(dim,)` vector that weights the features of the scores.
        dropout: dropout rate on the attention weights (in training).
        seed: seed of the dropout.

    Call arguments:
        See `Attention`: `[query, value]` or `[query, value, key]`, `mask`, `training`,
        `return_attention_scores`, `use_causal_mask`.

    Returns:
        `(B, Tq, dim)`, and the `(B, Tq, Tv)` weights when asked for.

    Example:
        >>> import torch, strata
        >>> layer = strata.layers.AdditiveAttention()
        >>> layer([torch.randn(2, 3, 4), torch.randn(2, 5, 4)]).shape
        torch.Size([2, 3, 4])
        >>> [tuple(w.shape) for w in layer.get_weights()]
        [(4,)]
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        _check_inputs(self, input_shape)
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            dim = input_shape[0][-1]
            self.scale = self.add_weight(name="scale", shape=(dim,), initializer="glorot_uniform")
        self.built = True

    def _calculate_scores(self, query, key):
        summed = torch.tanh(query.unsqueeze(-2) + key.unsqueeze(-3))
        if self.scale is not None:
            summed = self.scale * summed
        return summed.sum(-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config
