"""Crossentropies, CTC and attention ops of `keras.ops.nn`."""

from __future__ import annotations

import functools
import math as _math

import numpy as np
import torch
import torch.nn.functional as F

from strata.backend.config import epsilon as _epsilon
from strata.ops._symbolic import keras_op
from strata.ops._tensors import float_tensor, like, tensor

__all__ = [
    "binary_crossentropy",
    "categorical_crossentropy",
    "ctc_decode",
    "ctc_loss",
    "dot_product_attention",
    "sparse_categorical_crossentropy",
]


def _clipped_log(probabilities):
    eps = _epsilon()
    return torch.log(probabilities.clamp(eps, 1.0 - eps))


@keras_op
def binary_crossentropy(target, output, from_logits=False):
    """Elementwise binary crossentropy (no reduction).

    Probabilities are clipped to `[epsilon, 1 - epsilon]`; `from_logits=True` uses the stable
    logits formula.

    Example:
        >>> round(binary_crossentropy([1.0], [0.5]).item(), 4)
        0.6931
    """
    output = float_tensor(output)
    target = like(target, output)
    if target.shape != output.shape:
        raise ValueError(
            f"binary_crossentropy expected target and output of the same shape; received "
            f"{tuple(target.shape)} and {tuple(output.shape)}."
        )
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target, reduction="none")
    eps = _epsilon()
    output = output.clamp(eps, 1.0 - eps)
    return -(target * torch.log(output) + (1 - target) * torch.log(1 - output))


@keras_op
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Crossentropy between one-hot (or soft) targets and predictions along `axis`.

    Probabilities are rescaled to sum to one and clipped before the logarithm.

    Example:
        >>> round(categorical_crossentropy([[0.0, 1.0]], [[0.5, 0.5]]).item(), 4)
        0.6931
    """
    output = float_tensor(output)
    target = like(target, output)
    if target.shape != output.shape or output.dim() < 1:
        raise ValueError(
            f"categorical_crossentropy expected target and output of the same shape (rank >= 1);"
            f" received {tuple(target.shape)} and {tuple(output.shape)}."
        )
    if from_logits:
        log_prob = F.log_softmax(output, dim=axis)
    else:
        log_prob = _clipped_log(output / output.sum(dim=axis, keepdim=True))
    return -(target * log_prob).sum(dim=axis)


@keras_op
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Crossentropy between integer labels and predictions along `axis`.

    Example:
        >>> round(sparse_categorical_crossentropy([1], [[0.5, 0.5]]).item(), 4)
        0.6931
    """
    output = float_tensor(output)
    target = tensor(target).long().to(output.device)
    if target.dim() == output.dim() and target.shape[axis] == 1:
        target = target.squeeze(axis)
    expected = list(output.shape)
    del expected[axis]
    if list(target.shape) != expected:
        raise ValueError(
            f"sparse_categorical_crossentropy expected target of shape {tuple(expected)} "
            f"(output's without the class axis); received {tuple(target.shape)}."
        )
    if from_logits:
        log_prob = F.log_softmax(output, dim=axis)
    else:
        log_prob = _clipped_log(output / output.sum(dim=axis, keepdim=True))
    log_prob = log_prob.movedim(axis, -1)
    return -log_prob.gather(-1, target.unsqueeze(-1)).squeeze(-1)


@keras_op
def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """Connectionist temporal classification loss per sample.

    Args:
        target: integer labels `(batch, max_label_length)`.
        output: logits `(batch, max_time, num_classes)` (log-softmax is applied).
        target_length: `(batch,)` label lengths.
        output_length: `(batch,)` output lengths.
        mask_index: the blank class.

    Returns:
        `(batch,)` negative log-likelihoods.

    Example:
        >>> ctc_loss([[1]], torch.zeros(1, 1, 2), [1], [1]).item() > 0
        True
    """
    output = float_tensor(output)
    if output.dtype in (torch.float16, torch.bfloat16):
        output = output.float()
    log_probs = F.log_softmax(output, dim=-1).transpose(0, 1)
    device = output.device
    return F.ctc_loss(
        log_probs,
        tensor(target).long().to(device),
        tensor(output_length).long().to(device),
        tensor(target_length).long().to(device),
        blank=mask_index,
        reduction="none",
    )


def _greedy_decode(x, lengths, merge_repeated, mask_index):
    batch, steps, _ = x.shape
    scores, best = x.max(dim=-1)
    beyond = torch.arange(steps, device=x.device)[None, :] >= lengths[:, None]
    best = torch.where(beyond, mask_index, best)
    scores = torch.where(beyond, 0.0, scores)
    if merge_repeated:
        repeat = F.pad(best[:, 1:] == best[:, :-1], (1, 0))
        best = torch.where(repeat, mask_index, best)
    blank = best == mask_index
    # Stable sort moves the kept labels to the front in order, blanks (-1) to the end.
    order = torch.argsort(blank.int(), dim=1, stable=True)
    decoded = torch.where(blank, -1, best).gather(1, order)
    return decoded[None].int(), -scores.sum(dim=1, keepdim=True)


def _logaddexp(a, b):
    return np.logaddexp(a, b)


def _accumulate(states, prefix, blank, label):
    old_b, old_l = states.get(prefix, (-np.inf, -np.inf))
    states[prefix] = (_logaddexp(old_b, blank), _logaddexp(old_l, label))


def _beam_search_one(log_probs, beam_width, mask_index):
    """Prefix beam search over one sequence; returns {prefix: log-probability}."""
    beams = {(): (0.0, -np.inf)}  # prefix -> (log p ending in blank, log p ending in a label)
    for frame in log_probs:
        grown = {}
        add = functools.partial(_accumulate, grown)
        for prefix, (p_b, p_l) in beams.items():
            total = _logaddexp(p_b, p_l)
            for c, lp in enumerate(frame):
                if c == mask_index:
                    add(prefix, total + lp, -np.inf)
                elif prefix and prefix[-1] == c:
                    # A repeat only extends after a blank; otherwise it merges into the prefix.
                    add(prefix + (c,), -np.inf, p_b + lp)
                    add(prefix, -np.inf, p_l + lp)
                else:
                    add(prefix + (c,), -np.inf, total + lp)
        ranked = sorted(grown.items(), key=lambda kv: -_logaddexp(*kv[1]))
        beams = dict(ranked[:beam_width])
    return {prefix: _logaddexp(*p) for prefix, p in beams.items()}


def _beam_decode(x, lengths, beam_width, top_paths, mask_index):
    batch, steps, _ = x.shape
    log_probs = F.log_softmax(x.double(), dim=-1).cpu().numpy()
    lengths = lengths.cpu().tolist()
    paths = np.full((top_paths, batch, steps), -1, dtype=np.int32)
    scores = np.full((batch, top_paths), -np.inf)
    for b in range(batch):
        found = _beam_search_one(log_probs[b, : int(lengths[b])], beam_width, mask_index)
        best = sorted(found.items(), key=lambda kv: -kv[1])[:top_paths]
        for k, (prefix, score) in enumerate(best):
            paths[k, b, : len(prefix)] = prefix
            scores[b, k] = score
    return (
        torch.from_numpy(paths).to(x.device),
        torch.from_numpy(scores).to(device=x.device, dtype=x.dtype),
    )


@keras_op
def ctc_decode(
    inputs,
    sequence_lengths,
    strategy="greedy",
    beam_width=100,
    top_paths=1,
    merge_repeated=True,
    mask_index=0,
):
    """Decode CTC outputs greedily or with a prefix beam search.

    Args:
        inputs: `(batch, max_time, num_classes)` logits or probabilities.
        sequence_lengths: `(batch,)` valid lengths.
        strategy: `"greedy"` or `"beam_search"`.
        beam_width: prefixes kept per step (beam search).
        top_paths: number of decodings returned (beam search).
        merge_repeated: merge repeated labels (greedy).
        mask_index: the blank class (None: the last class).

    Returns:
        `(paths, scores)`: paths `(top_paths, batch, max_time)` int32, padded with -1 (greedy:
        one path); scores `(batch, top_paths)`: greedy gives minus the sum of the chosen
        inputs, beam search the log-probability of each decoded label sequence.

    Example:
        >>> x = torch.tensor([[[0.0, 5.0, 0.0], [0.0, 5.0, 0.0], [0.0, 0.0, 5.0]]])
        >>> ctc_decode(x, [3])[0].tolist()
        [[[1, 2, -1]]]
    """
    x = float_tensor(inputs)
    if x.dtype in (torch.float16, torch.bfloat16):
        x = x.float()
    if x.dim() != 3:
        raise ValueError(
            f"ctc_decode expected inputs (batch, time, classes); received {tuple(x.shape)}."
        )
    lengths = tensor(sequence_lengths).long().to(x.device)
    mask_index = x.shape[-1] - 1 if mask_index is None else int(mask_index)
    if strategy == "greedy":
        return _greedy_decode(x, lengths, merge_repeated, mask_index)
    if strategy == "beam_search":
        return _beam_decode(x, lengths, beam_width, top_paths, mask_index)
    raise ValueError(
        f"ctc_decode expected strategy 'greedy' or 'beam_search'; received {strategy!r}."
    )


@keras_op
def dot_product_attention(
    query,
    key,
    value,
    bias=None,
    mask=None,
    scale=None,
    is_causal=False,
    flash_attention=None,
    attn_logits_soft_cap=None,
):
    """Scaled dot-product attention on Keras's `(batch, length, heads, head_dim)` layout.

    Grouped-query attention works when `query` has a multiple of `key`'s heads.

    Args:
        query: `(B, T, N, H)`.
        key, value: `(B, S, K, H)` with `N % K == 0`.
        bias: optional additive bias broadcastable to `(B, N, T, S)`.
        mask: optional boolean mask broadcastable to `(B, N, T, S)`; False positions are
            excluded.
        scale: logits scale (default `1 / sqrt(H)`).
        is_causal: mask out keys after each query position.
        flash_attention: accepted for compatibility; torch picks its fastest kernel itself.
        attn_logits_soft_cap: if set, logits become `cap * tanh(logits / cap)`.

    Returns:
        `(B, T, N, H)`.

    Example:
        >>> q = torch.ones(1, 2, 1, 4)
        >>> dot_product_attention(q, q, q).shape
        torch.Size([1, 2, 1, 4])
    """
    q = float_tensor(query)
    k, v = like(key, q), like(value, q)
    if q.dim() != 4 or k.dim() != 4 or v.dim() != 4:
        raise ValueError(
            "dot_product_attention expected 4-D query, key and value (batch, length, heads, "
            f"head_dim); received {tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}."
        )
    q, k, v = (t.transpose(1, 2) for t in (q, k, v))
    if q.shape[1] != k.shape[1]:
        if q.shape[1] % k.shape[1]:
            raise ValueError(
                f"dot_product_attention expected query heads ({q.shape[1]}) to be a multiple "
                f"of key heads ({k.shape[1]})."
            )
        groups = q.shape[1] // k.shape[1]
        k, v = k.repeat_interleave(groups, dim=1), v.repeat_interleave(groups, dim=1)
    scale = 1.0 / _math.sqrt(q.shape[-1]) if scale is None else float(scale)
    allowed = None
    if mask is not None:
        allowed = tensor(mask).bool().to(q.device)
    if is_causal:
        causal = torch.ones(q.shape[2], k.shape[2], dtype=torch.bool, device=q.device).tril()
        allowed = causal if allowed is None else allowed & causal
    additive = None if bias is None else like(bias, q)
    if attn_logits_soft_cap is None and allowed is None:
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=additive, scale=scale)
        return out.transpose(1, 2)
    logits = torch.matmul(q, k.transpose(-1, -2)) * scale
    if attn_logits_soft_cap is not None:
        logits = attn_logits_soft_cap * torch.tanh(logits / attn_logits_soft_cap)
    if additive is not None:
        logits = logits + additive
    if allowed is not None:
        # A large finite negative (not -inf) keeps fully masked rows finite, as in Keras.
        logits = logits.masked_fill(~allowed, torch.finfo(logits.dtype).min * 0.7)
    weights = torch.softmax(logits, dim=-1)
    return torch.matmul(weights, v).transpose(1, 2)
