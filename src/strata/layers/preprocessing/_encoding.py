"""Turning integer indices into one-hot, multi-hot or count vectors (Keras's rules)."""

from __future__ import annotations

import torch

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


def one_hot(indices, depth, dtype):
    """One-hot rows on a new last axis; negative or out-of-range indices give zero rows."""
    indices = indices.long()
    valid = (indices >= 0) & (indices < depth)
    rows = torch.nn.functional.one_hot(torch.where(valid, indices, 0), depth)
    return (rows * valid.unsqueeze(-1)).to(dtype)


def encode(indices, output_mode, depth, dtype, count_weights=None):
    """Encode `indices` as Keras's `encode_categorical_inputs` does.

    `"one_hot"` drops a trailing axis of size 1 and adds the depth axis; `"multi_hot"` and
    `"count"` fold the sample's axis (axis 1 of a batch, the only axis of a vector) into one
    vector of `depth` entries.
    """
    if output_mode == "int":
        return indices.to(dtype)
    if indices.dim() == 0:
        indices = indices.unsqueeze(-1)
    if output_mode == "one_hot":
        if indices.dim() > 1 and indices.shape[-1] == 1:
            indices = indices.squeeze(-1)
        return one_hot(indices, depth, dtype)
    folded_axis = 1 if indices.dim() > 1 else 0
    return _fold(indices, output_mode, depth, dtype, count_weights, folded_axis)


def _fold(indices, output_mode, depth, dtype, count_weights, folded_axis):
    """Multi-hot or count vectors by scatter-adding into `depth` bins along `folded_axis`.

    A scatter, rather than one-hot rows reduced over the folded axis, keeps memory at the
    output's size: one-hot rows of a (batch, length) input take batch * length * depth values.
    """
    indices = indices.long()
    valid = (indices >= 0) & (indices < depth)  # others count nowhere, as zero one-hot rows
    if count_weights is not None:
        dtype = count_weights.dtype
    values = valid.to(dtype)
    if count_weights is not None and output_mode == "count":
        values = values * count_weights
    slots = torch.where(valid, indices, 0).movedim(folded_axis, -1)
    values = values.movedim(folded_axis, -1)
    out = torch.zeros((*slots.shape[:-1], depth), dtype=dtype, device=indices.device)
    out.scatter_add_(-1, slots, values)
    return out.clamp_(max=1) if output_mode == "multi_hot" else out


def encoded_shape(input_shape, output_mode, depth):
    """The output shape of `encode` for an input shape (None for unknown sizes)."""
    shape = tuple(input_shape)
    if output_mode == "int":
        return shape
    if not shape:
        return (depth,)
    if output_mode == "one_hot":
        if len(shape) > 1 and shape[-1] == 1:
            shape = shape[:-1]
        return (*shape, depth)
    return (depth,) if len(shape) == 1 else (shape[0], *shape[2:], depth)


def check_output_mode(output_mode, allowed, layer):
    if output_mode not in allowed:
        raise ValueError(
            f"{layer} expected output_mode one of {list(allowed)}; received {output_mode!r}."
        )


def check_not_sparse(sparse, layer):
    if sparse:
        raise ValueError(
            f"{layer} expected sparse=False: torch has no sparse outputs for it (as Keras's torch "
            "backend); received sparse=True."
        )
