"""StringLookup: map strings to contiguous integer indices (torch has no string tensors)."""

from __future__ import annotations

import numpy as np
import torch

from strata.layers.preprocessing._hashing import hash_buckets
from strata.layers.preprocessing._index_lookup import IndexLookup


def as_strings(values, encoding="utf-8"):
    """`values` (str, bytes, lists or arrays of them) as a NumPy object array of str."""
    array = np.asarray(values, dtype=object)
    if array.dtype.kind != "O":
        array = array.astype(object)
    decode = np.frompyfunc(lambda v: v.decode(encoding) if isinstance(v, bytes) else str(v), 1, 1)
    if not array.size:
        return array
    return np.asarray(decode(array), dtype=object).reshape(array.shape)


class StringLookup(IndexLookup):
    """Map strings from a vocabulary (given or learned by `adapt`) to contiguous indices.

    Index 0 is the mask (when `mask_token` is set), then `num_oov_indices` slots for unknown
    strings (shared by FarmHash Fingerprint64, or SipHash with a `salt`, exactly as Keras
    buckets them), then the vocabulary: `adapt` orders it by frequency, ties by string from
    high to low, as Keras does.

    torch has no string tensors, so the layer runs eagerly on Python lists or NumPy arrays of
    `str`/`bytes` and returns CPU torch tensors: use it to turn text into ids before `fit`
    (or inside a `DataLoader`), not behind a symbolic `Input(dtype="string")`, which strata
    cannot build (the call raises a ValueError saying so). With `invert=True` it maps integer
    indices back to a NumPy array of strings.

    Args:
        max_tokens: the largest vocabulary size, special slots included (None: no limit).
        num_oov_indices: how many indices unknown strings share; 0 makes them an error.
        mask_token: the string that means "padding" (index 0), or None.
        oov_token: the string `invert=True` returns for OOV indices.
        vocabulary: a list or 1-D array of strings.
        idf_weights: per-term weights for `output_mode="tf_idf"` with a given vocabulary.
        invert: map indices back to strings.
        output_mode: `"int"`, `"one_hot"`, `"multi_hot"`, `"count"` or `"tf_idf"`.
        pad_to_max_tokens: encodings have `max_tokens` entries whatever the vocabulary size.
        sparse: must be False (no sparse outputs on torch).
        encoding: how `bytes` inputs are decoded.
        salt: a seed for the OOV hash (SipHash instead of FarmHash).

    Input shape:
        Strings of any shape (a list, or a NumPy array of str, bytes or objects).

    Output shape:
        The input's (int64 indices), or an encoding (see `CategoryEncoding`).

    Example:
        >>> import strata
        >>> layer = strata.layers.StringLookup(vocabulary=["a", "b", "c", "d"])
        >>> layer([["a", "c", "d"], ["d", "z", "b"]]).tolist()
        [[1, 3, 4], [4, 0, 2]]
    """

    _string = True

    def __init__(
        self,
        max_tokens=None,
        num_oov_indices=1,
        mask_token=None,
        oov_token="[UNK]",
        vocabulary=None,
        idf_weights=None,
        invert=False,
        output_mode="int",
        pad_to_max_tokens=False,
        sparse=False,
        encoding="utf-8",
        name=None,
        salt=None,
        **kwargs,
    ):
        self.encoding = encoding
        kwargs.pop("vocabulary_dtype", None)
        super().__init__(
            max_tokens=max_tokens,
            num_oov_indices=num_oov_indices,
            mask_token=mask_token,
            oov_token=oov_token,
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            invert=invert,
            output_mode=output_mode,
            sparse=sparse,
            pad_to_max_tokens=pad_to_max_tokens,
            name=name,
            salt=salt,
            **kwargs,
        )
        self.vocabulary_dtype = "string"

    def _token(self, value):
        return value.decode(self.encoding) if isinstance(value, bytes) else str(value)

    def _as_tokens(self, batch):
        return as_strings(batch, self.encoding)

    def _index(self):
        if "index" not in self._tables:
            start = self._token_start_index()
            self._tables["index"] = {t: i + start for i, t in enumerate(self._tokens)}
        return self._tables["index"]

    def _find(self, inputs):
        keys = as_strings(inputs, self.encoding)
        index = self._index()
        found_index = np.frompyfunc(lambda t: index.get(t, -1), 1, 1)(keys)
        indices = torch.as_tensor(np.asarray(found_index, dtype="int64").reshape(keys.shape))
        return indices >= 0, indices, keys

    def _is_mask(self, keys):
        return torch.as_tensor(np.asarray(keys == self.mask_token, dtype=bool))

    def _oov_buckets(self, keys):
        return torch.as_tensor(hash_buckets(keys, self.num_oov_indices, self.salt))

    def _invert(self, inputs):
        indices = np.asarray(
            inputs.detach().cpu().numpy() if isinstance(inputs, torch.Tensor) else inputs
        ).astype("int64")
        vocabulary = np.array(self.get_vocabulary(), dtype=object)
        inside = (indices >= 0) & (indices < len(vocabulary))
        out = np.where(inside, vocabulary[np.clip(indices, 0, len(vocabulary) - 1)], None)
        out[~inside] = self.oov_token
        if self.mask_token is not None:
            out[indices == 0] = self.mask_token
        return out.astype(str)

    def get_config(self):
        return {**super().get_config(), "encoding": self.encoding}
