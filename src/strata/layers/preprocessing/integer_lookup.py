"""IntegerLookup: map integer ids (zip codes, user ids) to contiguous indices."""

from __future__ import annotations

import numpy as np
import torch

from strata.layers.preprocessing._index_lookup import IndexLookup


class IntegerLookup(IndexLookup):
    """Map integers from a vocabulary (given or learned by `adapt`) to contiguous indices.

    Index 0 is the mask (when `mask_token` is set), then `num_oov_indices` slots for values
    outside the vocabulary, then the vocabulary in order. `adapt` orders the vocabulary by
    frequency, ties by value from high to low, as Keras does. Lookups run in torch (sorted keys
    and `searchsorted`), so the layer works inside models on `Input(dtype="int64")`.

    Args:
        max_tokens: the largest vocabulary size, special slots included (None: no limit).
        num_oov_indices: how many indices out-of-vocabulary values share (by `value %
            num_oov_indices`); 0 makes them an error.
        mask_token: the value that means "padding" (index 0), or None.
        oov_token: the value `invert=True` returns for OOV indices.
        vocabulary: a list or 1-D array of integers (with or without the special tokens first).
        vocabulary_dtype: only `"int64"`, as in Keras.
        idf_weights: per-term weights for `output_mode="tf_idf"` with a given vocabulary.
        invert: map indices back to integers.
        output_mode: `"int"`, `"one_hot"`, `"multi_hot"`, `"count"` or `"tf_idf"`.
        sparse: must be False (no sparse outputs on torch).
        pad_to_max_tokens: encodings have `max_tokens` entries whatever the vocabulary size.
        oov_method: `"floormod"` or `"farmhash"` (hash of the decimal string) for OOV slots.
        salt: a seed for the OOV hash (SipHash) with `oov_method="farmhash"`.

    Input shape:
        Integers of any shape.

    Output shape:
        The input's (int64 indices), or an encoding (see `CategoryEncoding`).

    Example:
        >>> import numpy as np, strata
        >>> layer = strata.layers.IntegerLookup(vocabulary=[12, 36, 1138, 42])
        >>> layer(np.array([[12, 1138, 42], [42, 1000, 36]])).tolist()
        [[1, 3, 4], [4, 0, 2]]
    """

    def __init__(
        self,
        max_tokens=None,
        num_oov_indices=1,
        mask_token=None,
        oov_token=-1,
        vocabulary=None,
        vocabulary_dtype="int64",
        idf_weights=None,
        invert=False,
        output_mode="int",
        sparse=False,
        pad_to_max_tokens=False,
        oov_method="floormod",
        salt=None,
        name=None,
        **kwargs,
    ):
        if vocabulary_dtype != "int64":
            raise ValueError(
                f"IntegerLookup expected vocabulary_dtype 'int64'; received {vocabulary_dtype!r}."
            )
        if salt is not None and oov_method != "farmhash":
            raise ValueError("IntegerLookup takes a salt only with oov_method='farmhash'.")
        self.vocabulary_dtype = "int64"
        super().__init__(
            max_tokens=max_tokens,
            num_oov_indices=num_oov_indices,
            mask_token=None if mask_token is None else int(mask_token),
            oov_token=None if oov_token is None else int(oov_token),
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            invert=invert,
            output_mode=output_mode,
            sparse=sparse,
            pad_to_max_tokens=pad_to_max_tokens,
            oov_method=oov_method,
            salt=salt,
            name=name,
            **kwargs,
        )

    def _token(self, value):
        return int(value)

    def _as_tokens(self, batch):
        return np.asarray(batch).astype("int64")

    def _table(self, device):
        """(sorted keys, their indices, index -> value) on `device`, made once per device."""
        if device not in self._tables:
            keys = torch.tensor(self._tokens, dtype=torch.int64)
            order = torch.argsort(keys)
            positions = order + self._token_start_index()
            full = self.get_vocabulary()
            inverse = torch.tensor(
                [self.oov_token if v is None else v for v in full], dtype=torch.int64
            )
            self._tables[device] = tuple(t.to(device) for t in (keys[order], positions, inverse))
        return self._tables[device]

    def _find(self, inputs):
        keys = inputs.long()
        sorted_keys, positions, _ = self._table(keys.device)
        if sorted_keys.numel() == 0:
            return torch.zeros_like(keys, dtype=torch.bool), torch.zeros_like(keys), keys
        slot = torch.searchsorted(sorted_keys, keys.contiguous()).clamp(max=len(sorted_keys) - 1)
        found = sorted_keys[slot] == keys
        return found, positions[slot], keys

    def _is_mask(self, keys):
        return keys == self.mask_token

    def _oov_buckets(self, keys):
        if self.oov_method == "floormod":
            return torch.remainder(keys, self.num_oov_indices)
        from strata.layers.preprocessing._hashing import hash_buckets

        strings = np.vectorize(str, otypes=[object])(keys.cpu().numpy())
        buckets = hash_buckets(strings, self.num_oov_indices, self.salt)
        return torch.as_tensor(buckets, device=keys.device)

    def _invert(self, inputs):
        _, _, inverse = self._table(inputs.device)
        indices = inputs.long()
        inside = (indices >= 0) & (indices < len(inverse))
        values = inverse[indices.clamp(0, max(len(inverse) - 1, 0))]
        values = torch.where(inside, values, self.oov_token if self.oov_token is not None else -1)
        if self.mask_token is not None:
            values = torch.where(indices == 0, self.mask_token, values)
        return values

    def get_config(self):
        return {**super().get_config(), "vocabulary_dtype": self.vocabulary_dtype}
