"""Max-margin losses for auxiliary pretraining tasks: contrastive, triplet and margin ranking.

Keras has none of these; the formulas follow the usual definitions (Hadsell et al. 2006 for the
contrastive loss, Schroff et al. 2015 for the triplet loss, PyTorch's `MarginRankingLoss` for
ranking). Each function returns one loss per sample and never reads a value back to the host.
"""

import torch

from strata.losses.loss import as_float_tensor, as_like
from strata.losses.losses import _FunctionLoss

TRIPLET_DISTANCES = ("squared_euclidean", "euclidean")


def _check_margin(owner, margin):
    if isinstance(margin, bool) or not isinstance(margin, (int, float)) or margin < 0:
        raise ValueError(f"{owner} expected a margin >= 0 (a number); received margin={margin!r}.")
    return float(margin)


def _per_pair(y_true, y_pred):
    """`y_true` and `y_pred` as tensors of the same shape, with one value per pair last.

    A rank-1 `y_pred` holds one value per sample: it becomes `(batch, 1)`, so that averaging
    over the last axis keeps one loss per sample.
    """
    y_pred = as_float_tensor(y_pred)
    if y_pred.dim() == 1:
        y_pred = y_pred.unsqueeze(-1)
    y_true = as_like(y_true, y_pred)
    if y_true.dim() == y_pred.dim() - 1:
        y_true = y_true.unsqueeze(-1)
    elif y_true.dim() == y_pred.dim() + 1 and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    return y_true, y_pred


def contrastive(y_true, y_pred, margin=1.0):
    """Contrastive loss of pairs: `y * d**2 + (1 - y) * max(margin - d, 0)**2`, not halved.

    `y_pred` holds the distance `d` between the two members of each pair (the output of a
    siamese network's distance layer), `y_true` 1 for a similar pair and 0 for a dissimilar one:
    similar pairs are pulled together, dissimilar ones pushed at least `margin` apart. The loss
    is averaged over the last axis, as Keras's losses are.

    Args:
        y_true: 1 (similar) or 0 (dissimilar), shape `(batch,)` or `(batch, 1)`.
        y_pred: the pairs' distances (>= 0), shape `(batch,)` or `(batch, 1)`.
        margin: how far apart dissimilar pairs must be before they cost nothing.

    Returns:
        The loss per pair, shape `(batch,)`.

    Example:
        >>> [round(v, 4) for v in contrastive([1, 0, 0], [0.5, 0.25, 2.0]).tolist()]
        [0.25, 0.5625, 0.0]
    """
    margin = _check_margin("contrastive", margin)
    y_true, y_pred = _per_pair(y_true, y_pred)
    similar = y_pred.square()
    dissimilar = torch.relu(margin - y_pred).square()
    return (y_true * similar + (1.0 - y_true) * dissimilar).mean(dim=-1)


def _split_triplet(y_pred):
    size = y_pred.shape[-1] if y_pred.dim() else 0
    if y_pred.dim() < 2 or size % 3:
        raise ValueError(
            "triplet expected y_pred to hold the anchor, positive and negative embeddings "
            "concatenated on the last axis (a last axis divisible by 3, rank >= 2); received "
            f"shape {tuple(y_pred.shape)}."
        )
    return torch.split(y_pred, size // 3, dim=-1)


def _distance(a, b, distance):
    squared = (a - b).square().sum(dim=-1)
    if distance == "squared_euclidean":
        return squared
    # The floor keeps the gradient finite when two embeddings coincide.
    return squared.clamp_min(1e-12).sqrt()


def triplet(y_true, y_pred, margin=1.0, distance="squared_euclidean"):
    """Triplet loss `max(D(a, p) - D(a, n) + margin, 0)` of concatenated embeddings.

    `y_pred` holds each triplet's anchor `a`, positive `p` (same identity) and negative `n`
    (another identity) concatenated on the last axis, as `Concatenate()([a, p, n])` gives;
    `y_true` is ignored (pass zeros of any shape: `fit` needs targets).

    Args:
        y_true: ignored.
        y_pred: shape `(batch, 3 * dim)`.
        margin: how much closer the positive must be than the negative.
        distance: `"squared_euclidean"` (the default, as in FaceNet) or `"euclidean"` (as
            PyTorch's `triplet_margin_loss`).

    Returns:
        The loss per triplet, shape `(batch,)`.

    Example:
        >>> float(triplet(None, [[0.0, 1.0, 3.0]])[0])  # 1 - 9 + 1 < 0
        0.0
        >>> float(triplet(None, [[0.0, 1.0, 1.5]], margin=2.0)[0])  # 1 - 2.25 + 2
        0.75
    """
    margin = _check_margin("triplet", margin)
    if distance not in TRIPLET_DISTANCES:
        raise ValueError(
            f"triplet expected distance in {TRIPLET_DISTANCES}; received {distance!r}."
        )
    anchor, positive, negative = _split_triplet(as_float_tensor(y_pred))
    gap = _distance(anchor, positive, distance) - _distance(anchor, negative, distance)
    return torch.relu(gap + margin)


def margin_ranking(y_true, y_pred, margin=1.0):
    """Margin ranking loss `max(0, -y * (s1 - s2) + margin)` of two stacked scores.

    `y_pred[..., 0]` is the first score `s1` and `y_pred[..., 1]` the second `s2`; `y_true` is
    +1 when the first should rank higher and -1 when the second should (labels 0 count as -1,
    as in Keras's hinge losses). Equal to PyTorch's `margin_ranking_loss` per sample, except
    that the default margin is 1 (PyTorch's is 0, which does not ask for any margin).

    Args:
        y_true: +1 or -1 (or 0), shape `(batch,)` or `(batch, 1)`.
        y_pred: the two scores, shape `(batch, 2)`.
        margin: how far apart the scores must be, in the right order, to cost nothing.

    Returns:
        The loss per pair, shape `(batch,)`.

    Example:
        >>> [float(v) for v in margin_ranking([1, -1], [[2.0, 1.5], [2.0, 1.5]], margin=1.0)]
        [0.5, 1.5]
    """
    margin = _check_margin("margin_ranking", margin)
    y_pred = as_float_tensor(y_pred)
    if y_pred.dim() < 2 or y_pred.shape[-1] != 2:
        raise ValueError(
            "margin_ranking expected y_pred to hold two scores stacked on the last axis "
            f"(shape (batch, 2)); received shape {tuple(y_pred.shape)}."
        )
    y_true = as_like(y_true, y_pred)
    if y_true.dim() == y_pred.dim() and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    y_true = torch.where(y_true == 0, -torch.ones_like(y_true), y_true)
    return torch.relu(-y_true * (y_pred[..., 0] - y_pred[..., 1]) + margin)


class Contrastive(_FunctionLoss):
    """Contrastive loss of pairs (see `contrastive`): `y * d**2 + (1 - y) * max(m - d, 0)**2`.

    Args:
        margin: how far apart dissimilar pairs must be before they cost nothing.
        reduction, name, dtype: see `Loss`.

    Example:
        >>> round(float(Contrastive(margin=1.0)([1, 0, 0], [0.5, 0.25, 2.0])), 4)
        0.2708
    """

    _fn = contrastive
    targets_any_shape = True  # fit passes labels shaped (batch,) or (batch, 1) unchanged
    _args = ("margin",)

    def __init__(self, margin=1.0, reduction="sum_over_batch_size", name="contrastive", dtype=None):
        margin = _check_margin("Contrastive", margin)
        super().__init__(reduction=reduction, name=name, dtype=dtype, margin=margin)


class Triplet(_FunctionLoss):
    """Triplet loss of concatenated anchor, positive and negative embeddings (see `triplet`).

    Args:
        margin: how much closer the positive must be than the negative.
        distance: `"squared_euclidean"` (default) or `"euclidean"`.
        reduction, name, dtype: see `Loss`.

    Example:
        >>> float(Triplet(margin=2.0)([[0.0]], [[0.0, 1.0, 1.5]]))
        0.75
    """

    _fn = triplet
    targets_any_shape = True  # y_true is ignored: fit accepts targets of any shape
    _args = ("margin", "distance")

    def __init__(
        self,
        margin=1.0,
        distance="squared_euclidean",
        reduction="sum_over_batch_size",
        name="triplet",
        dtype=None,
    ):
        margin = _check_margin("Triplet", margin)
        if distance not in TRIPLET_DISTANCES:
            raise ValueError(
                f"Triplet expected distance in {TRIPLET_DISTANCES}; received {distance!r}."
            )
        super().__init__(
            reduction=reduction, name=name, dtype=dtype, margin=margin, distance=distance
        )


class MarginRanking(_FunctionLoss):
    """Margin ranking loss of two stacked scores (see `margin_ranking`).

    Args:
        margin: how far apart the scores must be, in the right order, to cost nothing.
        reduction, name, dtype: see `Loss`.

    Example:
        >>> float(MarginRanking(margin=1.0)([1, -1], [[2.0, 1.5], [2.0, 1.5]]))
        1.0
    """

    _fn = margin_ranking
    targets_any_shape = True  # one label per pair against two stacked scores
    _args = ("margin",)

    def __init__(
        self, margin=1.0, reduction="sum_over_batch_size", name="margin_ranking", dtype=None
    ):
        margin = _check_margin("MarginRanking", margin)
        super().__init__(reduction=reduction, name=name, dtype=dtype, margin=margin)
