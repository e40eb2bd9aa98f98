"""Labelled data for auxiliary pretraining tasks, made from unlabelled examples.

Seed 001: label every real example "good", corrupt copies of them and label those "bad", and
train a network to tell them apart (or to score good above bad by a margin); or train it to say
whether two examples belong to the same group. Its lower layers are then reused for the real task.
"""

from __future__ import annotations

import numpy as np
import torch


def _as_array(x, owner):
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    x = np.asarray(x)
    if x.ndim < 2 or len(x) < 2:
        raise ValueError(
            f"{owner} expected at least two examples of shape (samples, features...); received "
            f"shape {x.shape}."
        )
    return x


def _check_rate(rate, owner):
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate <= 1:
        raise ValueError(f"{owner} expected rate in (0, 1]; received rate={rate!r}.")


def _choose_positions(flat, rate, padding_value, rng):
    """A boolean mask of the entries to replace: round(rate * length), at least one, per row.

    Entries equal to `padding_value` are never chosen and do not count in the length.
    """
    eligible = np.ones(flat.shape, bool) if padding_value is None else flat != padding_value
    lengths = eligible.sum(axis=1)
    counts = np.where(lengths > 0, np.maximum(1, np.rint(rate * lengths)), 0).astype(int)
    keys = rng.random(flat.shape)
    keys[~eligible] = np.inf  # ineligible entries sort last and are never among the first k
    ranks = np.argsort(np.argsort(keys, axis=1), axis=1)
    return ranks < counts[:, None]


def _from_other_rows(flat, mask, rng):
    """For each chosen entry, the same position's value in another row drawn at random."""
    rows, cols = np.nonzero(mask)
    n = len(flat)
    donors = (rows + rng.integers(1, n, size=len(rows))) % n  # never the row itself
    return rows, cols, flat[donors, cols]


def _other_tokens(flat, mask, vocabulary_size, padding_value, rng):
    """For each chosen entry, a token id in [0, vocabulary_size) other than the original one
    (and other than `padding_value`), uniformly."""
    rows, cols = np.nonzero(mask)
    original = flat[rows, cols].astype(np.int64)
    if np.any((original < 0) | (original >= vocabulary_size)):
        raise ValueError(
            f"corrupt expected token ids in [0, {vocabulary_size}) (vocabulary_size); received "
            f"ids from {original.min()} to {original.max()}."
        )
    excluded = [original]
    if padding_value is not None and 0 <= padding_value < vocabulary_size:
        excluded.append(np.full_like(original, padding_value))
    choices = vocabulary_size - len(excluded)
    if choices < 1:
        raise ValueError(
            f"corrupt needs a vocabulary_size leaving another token to draw; received "
            f"vocabulary_size={vocabulary_size}."
        )
    drawn = rng.integers(0, choices, size=len(rows))
    # Map 0..choices-1 onto the ids left once the excluded ones are skipped (smallest first).
    for value in np.sort(np.stack(excluded), axis=0):
        drawn += drawn >= value
    return rows, cols, drawn


def corrupt(x, rate=0.15, vocabulary_size=None, padding_value=None, seed=None):
    """A corrupted copy of `x`: a fraction of each example's entries replaced.

    In each example, `round(rate * length)` entries (at least one) chosen at random are replaced:
    by the value at the same position in another example drawn at random (the default, "swap
    noise": every feature keeps its distribution), or, with `vocabulary_size`, by another token
    id (for integer token sequences; seed 001's "change a word in each sentence").

    Args:
        x: examples, shape `(samples, ...)`: all entries after the first axis are candidates.
        rate: the fraction of each example's entries to replace, in (0, 1].
        vocabulary_size: replace by token ids drawn uniformly from `[0, vocabulary_size)`,
            never the original id (nor `padding_value`).
        padding_value: entries equal to it are never replaced and do not count in the length
            (e.g. 0 for padded sequences).
        seed: seeds NumPy's generator for reproducible corruption.

    Returns:
        A new array like `x`. With swap noise a replaced entry can equal the original when
        values repeat (blank pixels); with `vocabulary_size` it always differs.

    Example:
        >>> x = np.arange(12).reshape(3, 4)
        >>> bad = corrupt(x, rate=0.5, seed=0)
        >>> (bad != x).sum(axis=1).tolist()
        [2, 2, 2]
    """
    x = _as_array(x, "corrupt")
    _check_rate(rate, "corrupt")
    if vocabulary_size is not None and (
        isinstance(vocabulary_size, bool) or not isinstance(vocabulary_size, (int, np.integer))
    ):
        raise ValueError(
            f"corrupt expected vocabulary_size to be an integer or None; received "
            f"{vocabulary_size!r}."
        )
    rng = np.random.default_rng(seed)
    flat = x.reshape(len(x), -1)
    mask = _choose_positions(flat, rate, padding_value, rng)
    if vocabulary_size is None:
        rows, cols, values = _from_other_rows(flat, mask, rng)
    else:
        rows, cols, values = _other_tokens(flat, mask, int(vocabulary_size), padding_value, rng)
    out = flat.copy()
    out[rows, cols] = values
    return out.reshape(x.shape)


def corrupted_pairs(
    x, rate=0.15, vocabulary_size=None, padding_value=None, shuffle=True, seed=None
):
    """Good-vs-corrupted training data: `x` labelled 1 and corrupted copies labelled 0.

    Train a classifier (sigmoid output, binary crossentropy) on the result, then reuse its lower
    layers. For a max-margin scorer instead, pair each example with its own corrupted copy:
    `x_bad = corrupt(x, ...)`, scores of both stacked, `MarginRanking` with labels 1.

    Args:
        x: the real (good) examples.
        rate, vocabulary_size, padding_value: how to corrupt; see `corrupt`.
        shuffle: shuffle good and corrupted examples together (else good ones first).
        seed: seeds the corruption and the shuffle.

    Returns:
        `(examples, labels)`: `2 * len(x)` examples and float32 labels (1 good, 0 corrupted),
        exactly half of each.

    Example:
        >>> x = np.random.default_rng(0).random((50, 8))
        >>> examples, labels = corrupted_pairs(x, seed=0)
        >>> examples.shape, float(labels.mean())
        ((100, 8), 0.5)
    """
    x = _as_array(x, "corrupted_pairs")
    rng = np.random.default_rng(seed)
    bad = corrupt(x, rate, vocabulary_size, padding_value, seed=rng)
    examples = np.concatenate([x, bad])
    labels = np.concatenate([np.ones(len(x), "float32"), np.zeros(len(x), "float32")])
    if shuffle:
        order = rng.permutation(len(examples))
        examples, labels = examples[order], labels[order]
    return examples, labels


def same_or_not_pairs(x, groups, pairs=None, seed=None):
    """Pairs of examples labelled 1 when both come from the same group, 0 otherwise.

    Seed 001's face example: learn whether two pictures show the same person, then reuse the
    network. Half the pairs (rounded down) are same-group pairs of two different examples (the
    first drawn uniformly among examples that have a group mate); the other half join two
    examples drawn uniformly under the condition that their groups differ. Use with a siamese
    network and `Contrastive`, or a classifier on the pair.

    Args:
        x: the examples, shape `(samples, ...)`.
        groups: one group id per example (e.g. a person, a class), shape `(samples,)`.
        pairs: how many pairs to make (default `len(x)`).
        seed: seeds NumPy's generator.

    Returns:
        `((first, second), labels)`: two arrays of `pairs` examples and float32 labels.

    Example:
        >>> x = np.arange(8).reshape(8, 1)
        >>> (a, b), same = same_or_not_pairs(x, [0, 0, 1, 1, 2, 2, 3, 3], pairs=6, seed=0)
        >>> int(same.sum()), a.shape
        (3, (6, 1))
        >>> bool(((a[:, 0] // 2 == b[:, 0] // 2) == (same == 1)).all())
        True
    """
    x = _as_array(x, "same_or_not_pairs")
    groups = np.asarray(groups).reshape(-1)
    if len(groups) != len(x):
        raise ValueError(
            f"same_or_not_pairs expected one group per example ({len(x)}); received "
            f"{len(groups)} groups."
        )
    names, codes = np.unique(groups, return_inverse=True)
    members = [np.flatnonzero(codes == g) for g in range(len(names))]
    pairable = [g for g, m in enumerate(members) if len(m) >= 2]
    if len(names) < 2 or not pairable:
        raise ValueError(
            "same_or_not_pairs expected at least two groups and one group with two or more "
            f"examples; received {len(names)} group(s) of sizes {[len(m) for m in members]}."
        )
    pairs = len(x) if pairs is None else int(pairs)
    rng = np.random.default_rng(seed)
    same = pairs // 2
    # Same-group pairs: an anchor drawn among examples that have a group mate, and a mate.
    candidates = np.concatenate([members[g] for g in pairable])
    anchors = rng.choice(candidates, size=same)
    mates = np.empty(same, np.int64)
    for i, anchor in enumerate(anchors):
        group = members[codes[anchor]]
        at = np.searchsorted(group, anchor)
        mates[i] = group[(at + rng.integers(1, len(group))) % len(group)]
    # Different-group pairs: any two examples, the second redrawn until its group differs.
    others_a = rng.integers(0, len(x), size=pairs - same)
    others_b = rng.integers(0, len(x), size=pairs - same)
    clash = codes[others_a] == codes[others_b]
    while clash.any():
        others_b[clash] = rng.integers(0, len(x), size=int(clash.sum()))
        clash = codes[others_a] == codes[others_b]
    first = np.concatenate([anchors, others_a])
    second = np.concatenate([mates, others_b])
    labels = (np.arange(pairs) < same).astype("float32")
    order = rng.permutation(pairs)
    return (x[first[order]], x[second[order]]), labels[order]
