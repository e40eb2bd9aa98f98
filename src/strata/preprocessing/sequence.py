"""Padding variable-length sequences into one rectangular array."""

from __future__ import annotations

import numpy as np


def pad_sequences(
    sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0
):
    """Pads (or cuts) a list of sequences to a common length.

    Each sequence becomes one row of length `maxlen`. Shorter ones are filled with `value`
    before (`padding="pre"`) or after (`"post"`) their items; longer ones lose items from the
    start (`truncating="pre"`) or the end (`"post"`). Items may themselves be arrays (for
    example feature vectors); they must all have the same shape, which the output keeps.

    Args:
        sequences: A list of sequences (lists, tuples or arrays), possibly empty ones.
        maxlen: Length of every row. `None` uses the longest sequence's length.
        dtype: Output dtype; a string dtype (or `object`) allows string items and values.
        padding: `"pre"` or `"post"`: where the fill goes.
        truncating: `"pre"` or `"post"`: which end of a too-long sequence is cut.
        value: The fill value.

    Returns:
        A NumPy array of shape `(len(sequences), maxlen) + item_shape`.

    Raises:
        ValueError: For an unknown `padding` or `truncating`, a non-iterable entry, items of
            differing shapes, or a string `value` with a non-string `dtype`.

    Example:
        >>> pad_sequences([[1, 2, 3], [4, 5], [6]])
        array([[1, 2, 3],
               [0, 4, 5],
               [0, 0, 6]], dtype=int32)
        >>> pad_sequences([[1, 2, 3], [4]], maxlen=2, padding="post", truncating="post")
        array([[1, 2],
               [4, 0]], dtype=int32)
    """
    if padding not in ("pre", "post"):
        raise ValueError(f"padding expected 'pre' or 'post'; received {padding!r}.")
    if truncating not in ("pre", "post"):
        raise ValueError(f"truncating expected 'pre' or 'post'; received {truncating!r}.")
    if not hasattr(sequences, "__len__"):
        raise ValueError(
            f"pad_sequences expected a list of sequences; received {type(sequences).__name__}."
        )
    lengths = []
    item_shape = None
    for index, sequence in enumerate(sequences):
        try:
            length = len(sequence)
        except TypeError:
            raise ValueError(
                "pad_sequences expected every entry to be a sequence; entry "
                f"{index} is {sequence!r} of type {type(sequence).__name__}."
            ) from None
        lengths.append(length)
        if item_shape is None and length:
            item_shape = np.asarray(sequence).shape[1:]
    item_shape = item_shape or ()
    if maxlen is None:
        maxlen = max(lengths, default=0)
    maxlen = int(maxlen)
    if maxlen < 0:
        raise ValueError(f"maxlen expected a non-negative integer or None; received {maxlen}.")

    textual = np.issubdtype(np.dtype(dtype), np.str_) or np.dtype(dtype) == np.dtype(object)
    if isinstance(value, str) and not textual:
        raise ValueError(
            f"dtype {dtype!r} cannot hold the string padding value {value!r}; "
            "use a string dtype (or object) or a numeric value."
        )

    out = np.full((len(lengths), maxlen) + tuple(item_shape), value, dtype=dtype)
    if maxlen == 0:
        return out
    for row, (sequence, length) in enumerate(zip(sequences, lengths, strict=True)):
        if not length:
            continue
        kept = sequence[-maxlen:] if truncating == "pre" else sequence[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != tuple(item_shape):
            raise ValueError(
                f"pad_sequences expected items of shape {tuple(item_shape)} (from the first "
                f"non-empty sequence); sequence {row} has items of shape {kept.shape[1:]}."
            )
        if padding == "post":
            out[row, : len(kept)] = kept
        else:
            out[row, maxlen - len(kept) :] = kept
    return out
