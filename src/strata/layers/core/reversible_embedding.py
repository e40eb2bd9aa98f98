"""ReversibleEmbedding: an embedding that also maps vectors back to vocabulary logits."""

from __future__ import annotations

import torch

from strata.backend.conversion import to_torch_dtype
from strata.layers.core.embedding import Embedding


class ReversibleEmbedding(Embedding):
    """An `Embedding` whose `call(x, reverse=True)` projects `output_dim` vectors back to
    `input_dim` logits, as Keras's `ReversibleEmbedding` (tied input and output embeddings,
    Press and Wolf, 2016).

    With `tie_weights=True` (the default) the reverse projection is the transposed table; else
    a separate `reverse_embeddings (output_dim, input_dim)` weight is learned.

    Args:
        input_dim: the vocabulary size.
        output_dim: the size of each vector.
        tie_weights: whether the reverse projection reuses the embedding table.
        embeddings_initializer, embeddings_regularizer, embeddings_constraint: as `Embedding`
            (the initializer also fills `reverse_embeddings`).
        mask_zero: whether index 0 is padding (a mask on the forward output only).
        reverse_dtype: dtype of the reverse product (e.g. "float32" under mixed precision).
        logit_soft_cap: when set, logits become `tanh(logits / cap) * cap`.
        quantization_config: accepted as None only (Keras's configs carry it).

    Call arguments:
        inputs: token ids (forward) or `(..., output_dim)` vectors (reverse).
        reverse: whether to project vectors back to logits.

    Example:
        >>> import torch, strata
        >>> layer = strata.layers.ReversibleEmbedding(100, 8)
        >>> vectors = layer(torch.tensor([[1, 2, 3]]))
        >>> tuple(layer(vectors, reverse=True).shape)
        (1, 3, 100)
    """

    def __init__(
        self,
        input_dim,
        output_dim,
        tie_weights=True,
        embeddings_initializer="uniform",
        embeddings_regularizer=None,
        embeddings_constraint=None,
        mask_zero=False,
        reverse_dtype=None,
        logit_soft_cap=None,
        quantization_config=None,
        **kwargs,
    ):
        if quantization_config is not None:
            raise ValueError(
                "ReversibleEmbedding expected quantization_config=None (quantization is not "
                f"supported); received {quantization_config!r}."
            )
        super().__init__(
            input_dim,
            output_dim,
            embeddings_initializer=embeddings_initializer,
            embeddings_regularizer=embeddings_regularizer,
            embeddings_constraint=embeddings_constraint,
            mask_zero=mask_zero,
            **kwargs,
        )
        if logit_soft_cap is not None and not float(logit_soft_cap) > 0:
            raise ValueError(
                "ReversibleEmbedding expected a positive logit_soft_cap or None; "
                f"received {logit_soft_cap!r}."
            )
        self.tie_weights = bool(tie_weights)
        self.reverse_dtype = reverse_dtype
        self._reverse_torch_dtype = None if reverse_dtype is None else to_torch_dtype(reverse_dtype)
        self.logit_soft_cap = logit_soft_cap

    def build(self, input_shape=None):
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(
                name="reverse_embeddings",
                shape=(self.output_dim, self.input_dim),
                initializer=self.embeddings_initializer,
            )
        self.built = True

    def call(self, inputs, reverse=False):
        if not reverse:
            return super().call(inputs)
        kernel = self.embeddings.T if self.tie_weights else self.reverse_embeddings
        if self._reverse_torch_dtype is not None:
            inputs, kernel = (
                inputs.to(self._reverse_torch_dtype),
                kernel.to(self._reverse_torch_dtype),
            )
        logits = torch.matmul(inputs, kernel)
        if self.logit_soft_cap is not None:
            logits = torch.tanh(logits / self.logit_soft_cap) * self.logit_soft_cap
        return logits

    def compute_output_shape(self, input_shape, reverse=False):
        if reverse:
            return (*tuple(input_shape)[:-1], self.input_dim)
        return super().compute_output_shape(input_shape)

    def compute_output_spec(self, *args, **kwargs):
        spec = super().compute_output_spec(*args, **kwargs)
        if kwargs.get("reverse"):
            spec.has_mask = False  # logits carry no padding mask
        return spec

    def get_config(self):
        return {
            **super().get_config(),
            "tie_weights": self.tie_weights,
            "reverse_dtype": self.reverse_dtype,
            "logit_soft_cap": self.logit_soft_cap,
        }
