"""Pieces the attention layers share: masks, masked softmax and multi-argument building."""

from __future__ import annotations

import string

import torch

from strata.backend.conversion import convert_to_tensor
from strata.backend.keras_tensor import KerasTensor


def as_tensor(value):
    """Arrays become tensors; tensors, symbolic tensors and None pass through."""
    if value is None or isinstance(value, (torch.Tensor, KerasTensor)):
        return value
    return convert_to_tensor(value)


def shape_of(value):
    return None if value is None else tuple(value.shape)


def softmax_fill(dtype) -> float:
    """What masked scores become before the softmax (Keras's Softmax: -1e9, -3e4 in float16)."""
    return -3e4 if dtype == torch.float16 else -1e9


def sdpa_bias(mask: torch.Tensor, dtype) -> torch.Tensor:
    """A boolean mask as the additive bias Keras's torch backend gives the fused kernel.

    A large finite negative (not -inf) keeps fully masked rows finite: they attend uniformly, as
    with Keras.
    """
    negative = (65500.0 if dtype == torch.float16 else 3.38953e38) * -0.7
    zero = torch.zeros((), dtype=dtype, device=mask.device)
    return torch.where(mask, zero, torch.tensor(negative, dtype=dtype, device=mask.device))


def masked_softmax(scores, mask, num_axes: int):
    """Softmax over the last `num_axes` axes; positions where `mask` is False get zero weight.

    As Keras's Softmax does, a row whose positions are all masked gets all zeros.
    """
    if mask is not None:
        while mask.dim() < scores.dim():
            mask = mask.unsqueeze(-2 * num_axes - 1)
        mask = mask.bool()
        scores = scores.masked_fill(~mask, softmax_fill(scores.dtype))
    if num_axes == 1:
        weights = torch.softmax(scores, dim=-1)
    else:
        flat = scores.reshape(*scores.shape[: scores.dim() - num_axes], -1)
        weights = torch.softmax(flat, dim=-1).reshape(scores.shape)
    return weights if mask is None else weights.masked_fill(~mask, 0.0)


def causal_mask(query_length: int, value_length: int, device) -> torch.Tensor:
    """`(1, T, S)`: position t sees positions s <= t (the top-left aligned lower triangle)."""
    rows = torch.arange(query_length, device=device).unsqueeze(-1)
    cols = torch.arange(value_length, device=device)
    return (rows >= cols).unsqueeze(0)


def window_mask(query_length: int, value_length: int, window: int, device) -> torch.Tensor:
    """`(1, T, S)`: position t sees positions s with |t - s| < window."""
    rows = torch.arange(query_length, device=device).unsqueeze(-1)
    cols = torch.arange(value_length, device=device)
    return ((rows - cols).abs() < window).unsqueeze(0)


def combine_masks(*masks):
    """The logical AND of the masks that are not None (None when all are)."""
    result = None
    for mask in masks:
        if mask is None:
            continue
        mask = mask.bool()
        result = mask if result is None else result & mask
    return result


def attention_equations(rank: int, attention_axes: tuple) -> tuple[str, str, int]:
    """The einsum equations of the scores and of the weighted sum, and the scores' rank.

    Projected tensors are `(batch, <other axes>, <attention axes>, heads, channels)`; the scores
    are `(batch, <other axes>, heads, <query attention axes>, <key attention axes>)`.
    """
    letters = string.ascii_lowercase
    target = letters[:rank]
    kept = [i for i in range(rank) if i not in attention_axes and i != rank - 1]
    source, offset = "", rank
    for i in range(rank):
        if i in kept or i == rank - 1:
            source += target[i]
        else:
            source += letters[offset]
            offset += 1
    product = (
        "".join(target[i] for i in kept)
        + "".join(target[i] for i in attention_axes)
        + "".join(source[i] for i in attention_axes)
    )
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)


def projection_equation(free_dims: int, bound_dims: int, output_dims: int):
    """An EinsumDense equation keeping `free_dims` axes, contracting `bound_dims` and adding
    `output_dims`; returns (equation, bias axes, output rank)."""
    letters = string.ascii_lowercase
    free = letters[:free_dims]
    bound = letters[free_dims : free_dims + bound_dims]
    out = letters[free_dims + bound_dims : free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{out}->{free}{out}", out, free_dims + output_dims
