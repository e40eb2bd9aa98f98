"""The shared machinery of IntegerLookup and StringLookup (Keras's IndexLookup semantics).

Indices: `[mask] + [oov] * num_oov_indices + vocabulary`, the mask slot existing only when a
`mask_token` is set and `output_mode="int"`. `adapt` counts tokens and orders them by count,
ties by the token itself from high to low (Keras's lexsort order). The vocabulary (and tf-idf
weights) travel in the config, as JSON: strata's files have no asset folder, and JSON needs no
unpickling.
"""

from __future__ import annotations

import collections

import numpy as np
import torch

from strata.backend import config as backend_config
from strata.backend.keras_tensor import KerasTensor, any_symbolic
from strata.layers.layer import Layer
from strata.layers.preprocessing import _encoding
from strata.layers.preprocessing._adapt import batches

LOOKUP_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


class IndexLookup(Layer):
    """Map tokens to contiguous indices (or back, with `invert=True`). Base of the lookups."""

    _string = False  # StringLookup: tokens are str, looked up in Python rather than torch

    def __init__(
        self,
        max_tokens,
        num_oov_indices,
        mask_token,
        oov_token,
        vocabulary=None,
        idf_weights=None,
        invert=False,
        output_mode="int",
        sparse=False,
        pad_to_max_tokens=False,
        oov_method="floormod",
        salt=None,
        name=None,
        vocabulary_size=None,
        has_input_vocabulary=None,
        **kwargs,
    ):
        kwargs.pop("dtype", None)  # the vocabulary decides the dtype, as in Keras
        super().__init__(name=name, **kwargs)
        layer = type(self).__name__
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        _encoding.check_output_mode(output_mode, LOOKUP_MODES, layer)
        _encoding.check_not_sparse(sparse, layer)
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"{layer} expected max_tokens > 1 or None; received {max_tokens!r}.")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"{layer} expected max_tokens to be set with pad_to_max_tokens=True.")
        if num_oov_indices < 0:
            raise ValueError(f"{layer} expected num_oov_indices >= 0; received {num_oov_indices}.")
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError(
                f"{layer} expected oov_method 'floormod' or 'farmhash'; received {oov_method!r}."
            )
        if invert and output_mode != "int":
            raise ValueError(
                f"{layer} expected output_mode='int' with invert=True; received {output_mode!r}."
            )
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(f"{layer} takes idf_weights only with output_mode='tf_idf'.")
        if output_mode == "tf_idf" and vocabulary is not None and idf_weights is None:
            raise ValueError(f"{layer} expected idf_weights with a vocabulary in 'tf_idf' mode.")
        if salt is not None:
            salt = _check_salt(salt, layer)
        if isinstance(vocabulary, str):
            raise ValueError(
                f"{layer} expected the vocabulary as a list; vocabulary files are not read "
                f"(strata loads nothing from paths named in a config); received {vocabulary!r}."
            )
        self.invert = bool(invert)
        self.max_tokens = max_tokens
        self.num_oov_indices = int(num_oov_indices)
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.sparse = False
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self.oov_method = oov_method
        self.salt = salt
        self.input_vocabulary = _listify(vocabulary)
        self.input_idf_weights = _listify(idf_weights)
        self._has_input_vocabulary = (
            vocabulary is not None if has_input_vocabulary is None else bool(has_input_vocabulary)
        )
        self._tokens = []
        self._idf = None
        self._frozen_vocab_size = vocabulary_size
        self._tables = {}
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # ------------------------------------------------------------------------------ vocabulary
    def _oov_start_index(self):
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self):
        return self._oov_start_index() + self.num_oov_indices

    def _special_tokens(self):
        return [self.mask_token] * self._oov_start_index() + [self.oov_token] * self.num_oov_indices

    def vocabulary_size(self):
        """The number of indices: the vocabulary plus the mask and OOV slots."""
        return len(self._tokens) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens=True):
        """The token of each index (mask and OOV tokens first unless excluded)."""
        if not include_special_tokens:
            return list(self._tokens)
        return self._special_tokens() + list(self._tokens)

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Replace the vocabulary (and the tf-idf weights, required in `"tf_idf"` mode)."""
        layer = type(self).__name__
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError(f"{layer} expected idf_weights with output_mode='tf_idf'.")
        if self.output_mode != "tf_idf" and idf_weights is not None:
            raise ValueError(f"{layer} takes idf_weights only with output_mode='tf_idf'.")
        vocabulary = [self._token(v) for v in _listify(vocabulary)]
        if not vocabulary:
            raise ValueError(f"{layer} expected a non-empty vocabulary; received [].")
        start = self._token_start_index()
        specials = self._special_tokens()
        has_specials = vocabulary[:start] == specials
        tokens = vocabulary[start:] if has_specials else vocabulary
        repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
        if repeated:
            raise ValueError(f"{layer} expected unique vocabulary terms; repeated: {repeated}.")
        for special, what in ((self.mask_token, "mask"), (self.oov_token, "OOV")):
            if special is not None and special in tokens and (what == "mask" or self.invert):
                raise ValueError(
                    f"{layer} found the {what} token {special!r} inside the vocabulary; pass the "
                    f"vocabulary without special tokens, or with exactly {specials} first."
                )
        if self.max_tokens is not None and start + len(tokens) > self.max_tokens:
            raise ValueError(
                f"{layer} expected a vocabulary of at most max_tokens={self.max_tokens} entries "
                f"(with special tokens); received {start + len(tokens)}."
            )
        self._tokens = tokens
        self._tables = {}
        if idf_weights is not None:
            weights = np.asarray(_listify(idf_weights), dtype="float64")
            if weights.ndim != 1 or len(weights) != len(vocabulary):
                raise ValueError(
                    f"{layer} expected one idf weight per vocabulary term ({len(vocabulary)}); "
                    f"received shape {weights.shape}."
                )
            if not has_specials:
                weights = np.concatenate([np.full(start, weights.mean()), weights])
            self._idf = weights
        self._record_vocabulary_size()

    def _record_vocabulary_size(self):
        size = self.vocabulary_size()
        # The encoding width is fixed once the layer has been called (the next layer's weights
        # depend on it); Keras refuses a change even before the first call.
        fixed_width = self.output_mode != "int" and not self.pad_to_max_tokens
        if fixed_width and self.built and self._frozen_vocab_size not in (None, size):
            raise RuntimeError(
                f"{type(self).__name__} cannot change its vocabulary size "
                f"({self._frozen_vocab_size} -> {size}) after being called with "
                f"output_mode={self.output_mode!r}."
            )
        self._frozen_vocab_size = size

    def _token(self, value):
        """A vocabulary entry as a Python value (int for IntegerLookup, str for StringLookup)."""
        return value

    # ----------------------------------------------------------------------------------- adapt
    def adapt(self, data, steps=None):
        """Learn the vocabulary (and document frequencies for tf-idf) from `data`.

        Args:
            data: an array, a list of tokens, or batches (a PyTorch `DataLoader` or dataset, a
                generator). Each row of a batch is one document for tf-idf.
            steps: at most this many batches of an iterable.
        """
        self.learn_vocabulary(self._documents(data, steps))

    def _documents(self, data, steps):
        """Each document of `data` as an array of tokens (rows of 2-D batches)."""
        listed = isinstance(data, (list, tuple))
        whole = isinstance(data, (np.ndarray, torch.Tensor, str, bytes)) or (
            listed and not (data and isinstance(data[0], (np.ndarray, torch.Tensor)))
        )
        for batch in batches(data, steps):
            batch = self._as_tokens(batch)
            if batch.ndim == 0:
                batch = batch.reshape(1, 1)
            elif batch.ndim == 1:
                # A whole 1-D array is one token per document; a 1-D batch is one document.
                batch = batch.reshape(-1, 1) if whole else batch.reshape(1, -1)
            yield from batch.reshape(batch.shape[0], -1)

    def learn_vocabulary(self, documents):
        """Learn the vocabulary from an iterable of documents (each a sequence of tokens)."""
        if self._has_input_vocabulary:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' cannot adapt: its vocabulary was given."
            )
        counts, doc_counts, count_documents = collections.Counter(), collections.Counter(), 0
        tf_idf = self.output_mode == "tf_idf"
        for document in documents:
            tokens = document.tolist() if isinstance(document, np.ndarray) else list(document)
            counts.update(tokens)
            if tf_idf:
                doc_counts.update(set(tokens))
                count_documents += 1
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        # Count high to low, ties by token high to low (Keras sorts with numpy's lexsort).
        ordered = sorted(counts.items(), key=lambda item: (item[1], item[0]), reverse=True)
        if self.max_tokens:
            ordered = ordered[: self.max_tokens - self._token_start_index()]
        self._tokens = [token for token, _ in ordered]
        self._tables = {}
        if tf_idf:
            frequencies = np.array([doc_counts[t] for t in self._tokens], dtype="float64")
            idf = np.log(1 + count_documents / (1 + frequencies))
            start = self._token_start_index()
            self._idf = np.concatenate([np.full(start, idf.mean() if idf.size else 0.0), idf])
        self._record_vocabulary_size()

    # --------------------------------------------------------------------------------- calling
    def __call__(self, inputs, *args, **kwargs):
        if any_symbolic(inputs) and self._string:
            raise ValueError(
                f"{type(self).__name__} works on NumPy string arrays eagerly, not on symbolic "
                "inputs: torch has no string tensors. Apply it to the data before fit (or in a "
                "DataLoader) and give the model its integer outputs."
            )
        if isinstance(inputs, (list, tuple, str, bytes, int, np.generic)):
            inputs = np.asarray(inputs)
        if isinstance(inputs, np.ndarray) and inputs.dtype.kind in "USO":
            if not self.built:
                self.built = True
            kwargs.pop("training", None)  # eager preprocessing: no modes
            kwargs.pop("mask", None)
            return torch.nn.Module.__call__(self, inputs, *args, **kwargs)
        return super().__call__(inputs, *args, **kwargs)

    def call(self, inputs):
        if self.invert:
            return self._invert(inputs)
        if (
            self.output_mode != "int"
            and self._frozen_vocab_size is None
            and not (self.pad_to_max_tokens)
        ):
            raise RuntimeError(
                f"{type(self).__name__} needs a vocabulary before being called with "
                f"output_mode={self.output_mode!r}: pass vocabulary= or call adapt()."
            )
        indices = self._lookup(inputs)
        if self.output_mode == "int":
            return indices
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        out = _encoding.encode(indices, mode, depth, torch.float32)
        if self.output_mode == "tf_idf":
            idf = np.zeros(depth)
            idf[: len(self._idf)] = self._idf[:depth]
            out = out * torch.as_tensor(idf, dtype=torch.float32, device=out.device)
        return out

    def _lookup(self, inputs):
        """int64 indices of the tokens in `inputs` (a tensor, or a NumPy array of strings)."""
        found, indices, keys = self._find(inputs)
        start = self._oov_start_index()
        masked = self._is_mask(keys) if self.mask_token is not None else None
        if masked is not None:
            found = found | masked  # the mask is not out of vocabulary
        if self.num_oov_indices == 0:
            if not bool(found.all()):
                missing = np.asarray(_to_numpy(keys))[~_to_numpy(found).astype(bool)]
                raise ValueError(
                    f"{type(self).__name__} with num_oov_indices=0 found out-of-vocabulary "
                    f"values {missing[:10].tolist()}; set num_oov_indices=1 to map them to OOV."
                )
        elif self.num_oov_indices == 1:
            indices = torch.where(found, indices, start)
        else:
            indices = torch.where(found, indices, self._oov_buckets(keys) + start)
        if masked is not None:
            # Outside "int" mode the mask gets an index no encoding counts (Keras uses int max).
            indices = torch.where(masked, 0 if self.output_mode == "int" else -1, indices)
        return indices

    def compute_output_spec(self, inputs):
        if self.output_mode == "int":
            dtype = "int64" if not self.invert else inputs.dtype
            return KerasTensor(tuple(inputs.shape), dtype)
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        shape = _encoding.encoded_shape(inputs.shape, self.output_mode, depth)
        return KerasTensor(shape, backend_config.floatx())

    def get_build_config(self):
        return {}

    def build_from_config(self, build_config):
        self.built = True

    def get_config(self):
        adapted = not self._has_input_vocabulary and self._tokens
        vocabulary = self.get_vocabulary() if adapted else self.input_vocabulary
        idf = self.input_idf_weights
        if adapted and self._idf is not None:
            idf = self._idf[: self.vocabulary_size()].tolist()
        config = {
            **super().get_config(),
            "invert": self.invert,
            "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices,
            "oov_token": self.oov_token,
            "mask_token": self.mask_token,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "idf_weights": idf,
            "vocabulary": vocabulary,
            "vocabulary_size": self._frozen_vocab_size,
            "oov_method": self.oov_method,
            "salt": self.salt,
        }
        if adapted:
            # A learned vocabulary travels in the config (Keras: an assets file); the flag lets
            # the loaded layer adapt again, as Keras's does.
            config["has_input_vocabulary"] = False
        return config


def _check_salt(salt, layer):
    if isinstance(salt, int) and not isinstance(salt, bool):
        return [salt, salt]
    if isinstance(salt, (list, tuple)) and len(salt) == 2:
        return [int(s) for s in salt]
    raise ValueError(f"{layer} expected salt as an integer or 2 integers; received {salt!r}.")


def _listify(value):
    if value is None:
        return None
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        value = value.tolist()
    return list(value)


def _to_numpy(value):
    return value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else np.asarray(value)
