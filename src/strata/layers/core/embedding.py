"""Embedding: integer indices to dense vectors."""

import torch
import torch.nn.functional as F

from strata import constraints, initializers, regularizers
from strata.layers.layer import Layer


class Embedding(Layer):
    """Turns integer indices into dense vectors: row `i` of an `(input_dim, output_dim)` table.

    Args:
        input_dim: the vocabulary size (largest index + 1).
        output_dim: the size of each vector.
        embeddings_initializer: initializer of the table (Keras's `"uniform"`: U(-0.05, 0.05)).
        embeddings_regularizer: penalty on the table.
        embeddings_constraint: projection of the table after each update.
        mask_zero: whether index 0 is padding: the layer then produces a mask (`inputs != 0`)
            that later mask-aware layers (recurrent layers, merges, ...) follow; `input_dim`
            must then count the padding index as well.
        weights: optional initial value of the table (a list holding one array).
        input_length: Keras 2's sequence length argument; accepted for old code, it sets the
            input shape `(input_length,)` of a Sequential's first layer when none is given.
        sparse: whether the table's gradient is a sparse tensor (`torch.nn.functional.embedding`
            with `sparse=True`; only optimizers that accept sparse gradients can use it).

    Input shape:
        `(batch_size, ...)` indices (int32, int64, or floats holding integers).

    Output shape:
        `(batch_size, ..., output_dim)`.

    Example:
        >>> import torch, strata
        >>> layer = strata.layers.Embedding(1000, 64, mask_zero=True)
        >>> ids = torch.tensor([[4, 9, 0]])
        >>> layer(ids).shape
        torch.Size([1, 3, 64])
        >>> layer.compute_mask(ids)
        tensor([[ True,  True, False]])
    """

    def __init__(
        self,
        input_dim,
        output_dim,
        embeddings_initializer="uniform",
        embeddings_regularizer=None,
        embeddings_constraint=None,
        mask_zero=False,
        weights=None,
        lora_rank=None,
        input_length=None,
        sparse=False,
        **kwargs,
    ):
        if input_length is not None and not {"input_shape", "batch_input_shape"} & set(kwargs):
            kwargs["input_shape"] = (input_length,)
        super().__init__(**kwargs)
        for name, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(
                    f"Embedding expected a positive integer {name}; received {name}={value!r}."
                )
        if lora_rank is not None:
            raise ValueError("Embedding expected lora_rank=None; LoRA is not supported.")
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.sparse = bool(sparse)
        self.supports_masking = self.mask_zero
        self._initial_weights = weights

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(
            name="embeddings",
            shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer,
            regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint,
        )
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def call(self, inputs):
        if inputs.dtype != torch.long:
            inputs = inputs.long()
        return F.embedding(inputs, self.embeddings, sparse=self.sparse)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return inputs != 0

    def compute_output_shape(self, input_shape):
        return (*tuple(input_shape), self.output_dim)

    def compute_output_spec(self, *args, **kwargs):
        spec = super().compute_output_spec(*args, **kwargs)
        # The base marks a mask only when one comes in; this layer creates one.
        spec.has_mask = self.mask_zero
        return spec

    def get_config(self):
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "sparse": self.sparse,
        }
