"""TextVectorization: raw text to token ids or bag-of-words vectors, eagerly on NumPy strings."""

from __future__ import annotations

import re

import numpy as np
import torch

from strata.layers.layer import Layer
from strata.layers.preprocessing import _encoding
from strata.layers.preprocessing._adapt import batches
from strata.layers.preprocessing._index_lookup import LOOKUP_MODES
from strata.layers.preprocessing.string_lookup import StringLookup, as_strings

_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = ("whitespace", "character")
# Keras strips ASCII punctuation (its regex) and lowercases ASCII letters only, as
# tf.strings.lower does by default.
_PUNCTUATION = re.compile(r"[!\"#$%&()*+,\-./:;<=>?@\[\\\]^_`{|}~']")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")


class TextVectorization(Layer):
    """Standardize, split and n-gram text, then map tokens to indices or encode documents.

    The vocabulary is learned by `adapt` (by frequency, ties by token from high to low, as in
    Keras) or given. Index 0 is padding (`""`) and 1 the out-of-vocabulary token `"[UNK]"` in
    `"int"` mode.

    torch has no string tensors, so the layer runs eagerly: call it on a list or NumPy array of
    strings (or bytes) and it returns a CPU torch tensor. Vectorize the text before `fit` (or in
    a `DataLoader`) and train the model on the ids; a symbolic `Input(dtype="string")` and
    string inputs inside a saved model do not exist in strata (the call raises a ValueError).

    Args:
        max_tokens: the largest vocabulary size, padding and OOV included.
        standardize: `"lower_and_strip_punctuation"`, `"lower"`, `"strip_punctuation"`, None,
            or a callable taking and returning a NumPy array of str.
        split: `"whitespace"`, `"character"`, None (each string is one token), or a callable
            taking a 1-D NumPy array of str and returning one list of tokens per string.
        ngrams: None, an integer n (1- to n-grams) or a tuple of n-gram widths.
        output_mode: `"int"`, `"multi_hot"`, `"count"`, `"tf_idf"` or `"one_hot"`.
        output_sequence_length: `"int"` mode: pad or cut every sequence to this length
            (None: the batch's longest).
        pad_to_max_tokens: encodings have `max_tokens` entries whatever the vocabulary size.
        vocabulary: a list of terms, instead of `adapt`.
        idf_weights: with a vocabulary in `"tf_idf"` mode, one weight per term.
        sparse: must be False; ragged: must be False (no such tensors in torch).
        encoding: how `bytes` inputs are decoded.

    Input shape:
        `(batch,)` or `(batch, 1)` strings.

    Output shape:
        `(batch, sequence_length)` int64 ids, or `(batch, vocabulary size)` floats.

    Example:
        >>> import strata
        >>> layer = strata.layers.TextVectorization(output_sequence_length=4)
        >>> layer.adapt(["The cat sat.", "The dog!"])
        >>> layer.get_vocabulary()
        ['', '[UNK]', 'the', 'sat', 'dog', 'cat']
        >>> layer(["the cat, the bird"]).tolist()
        [[2, 5, 2, 1]]
    """

    def __init__(
        self,
        max_tokens=None,
        standardize="lower_and_strip_punctuation",
        split="whitespace",
        ngrams=None,
        output_mode="int",
        output_sequence_length=None,
        pad_to_max_tokens=False,
        vocabulary=None,
        idf_weights=None,
        sparse=False,
        ragged=False,
        encoding="utf-8",
        name=None,
        **kwargs,
    ):
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        kwargs.pop("dtype", None)
        super().__init__(name=name, **kwargs)
        if not (standardize is None or callable(standardize) or standardize in _STANDARDIZE):
            raise ValueError(
                f"TextVectorization expected standardize one of {list(_STANDARDIZE)}, None or a "
                f"callable; received {standardize!r}."
            )
        if not (split is None or callable(split) or split in _SPLIT):
            raise ValueError(
                f"TextVectorization expected split one of {list(_SPLIT)}, None or a callable; "
                f"received {split!r}."
            )
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        _encoding.check_output_mode(output_mode, LOOKUP_MODES, "TextVectorization")
        if isinstance(ngrams, list):
            ngrams = tuple(ngrams)
        if not (
            ngrams is None
            or (isinstance(ngrams, int) and not isinstance(ngrams, bool))
            or (isinstance(ngrams, tuple) and all(isinstance(n, int) for n in ngrams))
        ):
            raise ValueError(
                f"TextVectorization expected ngrams as None, an int or a tuple of ints; received "
                f"{ngrams!r}."
            )
        if output_sequence_length is not None and (
            output_mode != "int" or not isinstance(output_sequence_length, int)
        ):
            raise ValueError(
                "TextVectorization expected output_sequence_length as an int, and only with "
                f"output_mode='int'; received {output_sequence_length!r} with {output_mode!r}."
            )
        if ragged:
            raise ValueError(
                "TextVectorization expected ragged=False: torch has no ragged tensors."
            )
        _encoding.check_not_sparse(sparse, "TextVectorization")
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._encoding = encoding
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens,
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens,
            mask_token="",
            output_mode=output_mode,
            has_input_vocabulary=has_input_vocabulary,
            encoding=encoding,
            vocabulary_size=vocabulary_size,
        )
        self.built = True

    # ------------------------------------------------------------------------------ vocabulary
    def adapt(self, data, batch_size=None, steps=None):
        """Learn the vocabulary from texts: a list or array of strings, or batches of them
        (a generator, a PyTorch `DataLoader`)."""
        self._lookup_layer.learn_vocabulary(
            tokens for batch in batches(data, steps) for tokens in self._tokenize(batch)
        )

    def get_vocabulary(self, include_special_tokens=True):
        """The term of each index (padding and OOV first unless excluded)."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        """The number of indices, padding and OOV included."""
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Replace the vocabulary (and tf-idf weights)."""
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    # ------------------------------------------------------------------------------ processing
    def _tokenize(self, texts):
        """One list of tokens (n-grams included) per input string."""
        texts = as_strings(texts, self._encoding)
        if texts.ndim > 1:
            if self._split is not None and texts.shape[-1] != 1:
                raise ValueError(
                    "TextVectorization expected strings of shape (batch,) or (batch, 1) when "
                    f"splitting; received shape {texts.shape}."
                )
            texts = texts.reshape(texts.shape[0], -1)[:, 0] if self._split else texts
        texts = texts.reshape(-1)
        texts = self._standardized(texts)
        if self._split is None:
            documents = [[text] for text in texts]
        elif self._split == "whitespace":
            documents = [[t for t in _WHITESPACE.split(text) if t] for text in texts]
        elif self._split == "character":
            documents = [list(text) for text in texts]
        else:
            documents = [[str(t) for t in tokens] for tokens in self._split(texts)]
        if self._ngrams is not None:
            documents = [_ngrams(tokens, self._ngrams) for tokens in documents]
        return documents

    def _standardized(self, texts):
        mode = self._standardize
        if callable(mode):
            return as_strings(np.asarray(mode(texts.astype(str))), self._encoding).reshape(-1)
        if mode in ("lower", "lower_and_strip_punctuation"):
            texts = [text.translate(_ASCII_LOWER) for text in texts]
        if mode in ("strip_punctuation", "lower_and_strip_punctuation"):
            texts = [_PUNCTUATION.sub("", text) for text in texts]
        return list(texts)

    def __call__(self, inputs, *args, **kwargs):
        from strata.backend.keras_tensor import any_symbolic

        if any_symbolic(inputs):
            raise ValueError(
                "TextVectorization works on NumPy string arrays eagerly, not on symbolic inputs: "
                "torch has no string tensors. Vectorize the text before fit (or in a "
                "DataLoader) and give the model the integer outputs."
            )
        if isinstance(inputs, torch.Tensor):
            raise ValueError("TextVectorization expected strings; received a torch tensor.")
        kwargs.pop("training", None)  # eager preprocessing: no modes
        kwargs.pop("mask", None)
        return torch.nn.Module.__call__(self, inputs, *args, **kwargs)

    def call(self, inputs):
        documents = self._tokenize(inputs)
        lengths = np.array([len(d) for d in documents], dtype="int64")
        flat = np.empty(int(lengths.sum()), dtype=object)
        flat[:] = [token for document in documents for token in document]
        lookup = self._lookup_layer
        if (
            lookup.output_mode != "int"
            and lookup._frozen_vocab_size is None
            and not (lookup.pad_to_max_tokens)
        ):
            raise RuntimeError(
                "TextVectorization needs a vocabulary before being called with "
                f"output_mode={self._output_mode!r}: pass vocabulary= or call adapt()."
            )
        ids = lookup._lookup(flat).numpy() if flat.size else np.zeros(0, "int64")
        width = int(lengths.max()) if lengths.size else 0
        if self._output_mode == "int" and self._output_sequence_length is not None:
            width = self._output_sequence_length
        # Padding: 0 (the mask index) for ids; -1 (counted nowhere) for encodings.
        fill = 0 if self._output_mode == "int" else -1
        padded = np.full((len(documents), width), fill, dtype="int64")
        rows = np.repeat(np.arange(len(documents)), lengths)
        columns = np.arange(flat.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        keep = columns < width
        padded[rows[keep], columns[keep]] = ids[keep]
        padded = torch.from_numpy(padded)
        if self._output_mode == "int":
            if self._split is None and self._output_sequence_length is None:
                # Unsplit strings are one token each: ids keep the input's shape, as in Keras.
                return padded.reshape(np.shape(inputs))
            return padded
        depth = lookup.max_tokens if lookup.pad_to_max_tokens else lookup._frozen_vocab_size
        mode = "count" if self._output_mode == "tf_idf" else self._output_mode
        if mode == "one_hot" and self._split is not None:
            return _encoding.one_hot(padded, depth, torch.float32)
        out = _encoding.encode(padded, mode, depth, torch.float32)
        if self._output_mode == "tf_idf":
            idf = np.zeros(depth)
            idf[: min(depth, len(lookup._idf))] = lookup._idf[:depth]
            out = out * torch.as_tensor(idf, dtype=torch.float32)
        return out

    def get_build_config(self):
        return {}

    def build_from_config(self, build_config):
        self.built = True

    def get_config(self):
        lookup_config = self._lookup_layer.get_config()
        config = {
            **super().get_config(),
            "max_tokens": self._lookup_layer.max_tokens,
            "standardize": self._standardize,
            "split": self._split,
            "ngrams": self._ngrams_arg,
            "output_mode": self._output_mode,
            "output_sequence_length": self._output_sequence_length,
            "pad_to_max_tokens": self._lookup_layer.pad_to_max_tokens,
            "sparse": False,
            "ragged": False,
            "vocabulary": lookup_config["vocabulary"],
            "idf_weights": lookup_config["idf_weights"],
            "encoding": self._encoding,
            "vocabulary_size": self.vocabulary_size(),
        }
        if "has_input_vocabulary" in lookup_config:
            config["has_input_vocabulary"] = False
        return config


def _ngrams(tokens, widths):
    """All n-grams of each width in turn, joined by spaces (tf.strings.ngrams's order)."""
    grams = []
    for width in widths:
        grams += [" ".join(tokens[i : i + width]) for i in range(len(tokens) - width + 1)]
    return grams
