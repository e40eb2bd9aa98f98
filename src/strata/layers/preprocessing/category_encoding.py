"""CategoryEncoding: integer categories as one-hot, multi-hot or count vectors."""

from __future__ import annotations

import torch

from strata.backend.conversion import to_torch_dtype
from strata.layers.layer import Layer
from strata.layers.preprocessing import _encoding


class CategoryEncoding(Layer):
    """Encode integer category ids in `[0, num_tokens)` as dense vectors.

    `"one_hot"` gives one vector per id (a trailing axis of size 1 is replaced); `"multi_hot"`
    marks every id a sample contains and `"count"` counts them (optionally weighted by
    `count_weights`), one vector per sample. Ids outside `[0, num_tokens)` give zeros.

    Args:
        num_tokens: the number of categories (the output's last size).
        output_mode: `"multi_hot"` (default), `"one_hot"` or `"count"` (`"binary"` is
            Keras's old name of `"multi_hot"`).
        sparse: must be False (no sparse outputs on torch).

    Input shape:
        `(batch,)` or `(batch, ids)` integers.

    Output shape:
        `(batch, num_tokens)`, or `(batch, ids, num_tokens)` for one-hot ids.

    Example:
        >>> import numpy as np, strata
        >>> layer = strata.layers.CategoryEncoding(num_tokens=4, output_mode="count")
        >>> layer(np.array([[0, 1, 1], [3, 3, 2]])).tolist()
        [[1.0, 2.0, 0.0, 0.0], [0.0, 0.0, 1.0, 2.0]]
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        _encoding.check_output_mode(
            output_mode, ("count", "one_hot", "multi_hot"), "CategoryEncoding"
        )
        _encoding.check_not_sparse(sparse, "CategoryEncoding")
        if num_tokens is None or isinstance(num_tokens, bool) or int(num_tokens) < 1:
            raise ValueError(
                "CategoryEncoding expected num_tokens as an integer >= 1 (use IntegerLookup when "
                f"the categories are not known); received {num_tokens!r}."
            )
        self.num_tokens = int(num_tokens)
        self.output_mode = output_mode
        self.sparse = False

    def call(self, inputs, count_weights=None):
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError(
                    "CategoryEncoding uses count_weights only with output_mode='count'; "
                    f"received count_weights with output_mode={self.output_mode!r}."
                )
            count_weights = torch.as_tensor(count_weights, dtype=to_torch_dtype(self.dtype))
        return _encoding.encode(
            inputs, self.output_mode, self.num_tokens, to_torch_dtype(self.dtype), count_weights
        )

    def compute_output_shape(self, input_shape):
        return _encoding.encoded_shape(input_shape, self.output_mode, self.num_tokens)

    def get_config(self):
        return {
            **super().get_config(),
            "num_tokens": self.num_tokens,
            "output_mode": self.output_mode,
        }
