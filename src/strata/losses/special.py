"""Focal, generalized, overlap (Dice, Tversky), metric-learning (Circle) and CTC losses.

Per-sample functions with Keras 3's formulas and defaults. Like `functions`, they accept
tensors, arrays or lists and compute on `y_pred`'s device without reading values back.
"""

import torch
import torch.nn.functional as F

from strata import backend
from strata.losses.loss import as_float_tensor, as_like, as_on_device


def _cast_pair(y_true, y_pred):
    y_pred = as_float_tensor(y_pred)
    return as_like(y_true, y_pred), y_pred


def _dims(axis):
    """`axis` as torch wants it: None (every axis), an int, or a tuple of ints."""
    if axis is None or isinstance(axis, int):
        return axis
    return tuple(int(a) for a in axis)


def _sum(x, axis):
    dims = _dims(axis)
    return x.sum() if dims is None else x.sum(dim=dims)


def binary_focal_crossentropy(
    y_true,
    y_pred,
    apply_class_balancing=False,
    alpha=0.25,
    gamma=2.0,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
):
    """Binary crossentropy scaled by the focal factor `(1 - p_t) ** gamma`, averaged over `axis`.

    `p_t` is the probability given to the true class, so confident correct predictions weigh
    little (Lin et al., 2018). With `apply_class_balancing`, positives are also weighted by
    `alpha` and negatives by `1 - alpha`. `gamma=0` gives the plain binary crossentropy.

    Args:
        y_true: 0/1 labels, shaped like `y_pred`.
        y_pred: probabilities, or logits with `from_logits=True`.
        apply_class_balancing: weight the classes by `alpha` / `1 - alpha`.
        alpha: the weight of the positive class when balancing.
        gamma: the focusing exponent.
        from_logits: whether `y_pred` holds logits.
        label_smoothing: in [0, 1]; labels become `y * (1 - s) + 0.5 * s`.
        axis: the axis averaged over.

    Returns:
        The loss per sample (`y_pred`'s shape without `axis`).

    Example:
        >>> loss = binary_focal_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
        >>> [round(v, 4) for v in loss.tolist()]
        [0.3299, 0.2058]
    """
    y_true, y_pred = _cast_pair(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = torch.sigmoid(y_pred)
    eps = backend.epsilon()
    clipped = y_pred.clamp(eps, 1.0 - eps)
    bce = -(y_true * torch.log(clipped) + (1.0 - y_true) * torch.log(1.0 - clipped))
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal = torch.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return focal.mean(dim=axis)


def categorical_focal_crossentropy(
    y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1
):
    """Categorical crossentropy with each class's term scaled by `alpha * (1 - p) ** gamma`.

    Args:
        y_true: one-hot (or soft) labels.
        y_pred: probabilities (renormalised to sum to one, clipped), or logits with
            `from_logits=True`.
        alpha: a weight for every class: a number, or one number per class.
        gamma: the focusing exponent (0 gives `alpha` times the crossentropy).
        from_logits: whether `y_pred` holds logits.
        label_smoothing: in [0, 1]; labels become `y * (1 - s) + s / num_classes`.
        axis: the class axis.

    Returns:
        The loss per sample.

    Example:
        >>> loss = categorical_focal_crossentropy(
        ...     [[0, 1, 0], [0, 0, 1]], [[0.05, 0.9, 0.05], [0.1, 0.85, 0.05]])
        >>> [round(v, 5) for v in loss.tolist()]
        [0.00026, 0.67591]
    """
    if isinstance(axis, bool):
        raise ValueError(
            f"categorical_focal_crossentropy expected an integer axis; received {axis!r}."
        )
    y_true, y_pred = _cast_pair(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]
    if from_logits:
        y_pred = torch.softmax(y_pred, dim=axis)
    eps = backend.epsilon()
    output = (y_pred / y_pred.sum(dim=axis, keepdim=True)).clamp(eps, 1.0 - eps)
    if not isinstance(alpha, (int, float)):
        alpha = as_like(alpha, output)
    weight = torch.pow(1.0 - output, gamma) * alpha
    return (weight * (-y_true * torch.log(output))).sum(dim=axis)


def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """Generalized crossentropy `(1 - p ** q) / q`, with `p` the probability of the true class.

    Robust to noisy labels (Zhang & Sabuncu, 2018): close to crossentropy as `q` nears 0,
    to the mean absolute error as `q` nears 1.

    Args:
        y_true: integer class labels, shape `(batch,)` or `(batch, 1)`.
        y_pred: class probabilities, shape `(batch, num_classes)`.
        q: the noise parameter, in (0, 1).

    Returns:
        The loss per sample, shape `(batch,)`.

    Example:
        >>> loss = categorical_generalized_cross_entropy([1, 0], [[0.2, 0.8], [0.6, 0.4]], q=0.5)
        >>> [round(v, 4) for v in loss.tolist()]
        [0.2111, 0.4508]
    """
    y_pred = as_float_tensor(y_pred)
    labels = as_on_device(y_true, y_pred)
    if labels.dim() == y_pred.dim() and labels.shape[-1] == 1:
        labels = labels.squeeze(-1)
    p = torch.gather(y_pred, -1, labels.long().unsqueeze(-1)).squeeze(-1)
    return (1.0 - torch.pow(p, q)) / q


def ctc(y_true, y_pred):
    """Connectionist Temporal Classification loss, per sample.

    Args:
        y_true: integer labels of shape `(batch, max_label_length)`, padded with 0; 0 is the
            blank and never a class.
        y_pred: logits (not softmax-normalised) of shape `(batch, timesteps, num_classes)`.

    Returns:
        The negative log-likelihood of each label sequence, shape `(batch,)`.

    Example:
        >>> import torch
        >>> loss = ctc([[1, 2, 0]], torch.zeros(1, 4, 3))
        >>> loss.shape, bool(loss[0] > 0)
        (torch.Size([1]), True)
    """
    y_pred = as_float_tensor(y_pred)
    labels = as_on_device(y_true, y_pred)
    if labels.dim() != 2:
        raise ValueError(
            "ctc expected labels y_true of shape (batch_size, max_length) in integer format; "
            f"received shape {tuple(labels.shape)}."
        )
    if y_pred.dim() != 3:
        raise ValueError(
            "ctc expected logits y_pred of shape (batch_size, max_length, num_classes); "
            f"received shape {tuple(y_pred.shape)}."
        )
    labels = labels.long()
    batch, steps = y_pred.shape[0], y_pred.shape[1]
    if y_pred.dtype in (torch.float16, torch.bfloat16):
        y_pred = y_pred.float()
    log_probs = F.log_softmax(y_pred.transpose(0, 1), dim=-1)
    input_lengths = torch.full((batch,), steps, dtype=torch.long, device=y_pred.device)
    label_lengths = (labels != 0).sum(dim=-1)
    return F.ctc_loss(log_probs, labels, input_lengths, label_lengths, blank=0, reduction="none")


def dice(y_true, y_pred, axis=None):
    """Dice loss `1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred))`.

    Args:
        y_true: targets in [0, 1] (masks).
        y_pred: predictions in [0, 1].
        axis: the axes summed over: None sums everything (one value for the batch); e.g.
            `(1, 2, 3)` gives one value per image.

    Returns:
        The Dice loss, reduced over `axis`.

    Example:
        >>> round(float(dice([[1.0, 1.0, 0.0]], [[1.0, 0.0, 0.0]])), 4)
        0.3333
    """
    y_true, y_pred = _cast_pair(y_true, y_pred)
    intersection = _sum(y_true * y_pred, axis)
    denominator = _sum(y_true, axis) + _sum(y_pred, axis) + backend.epsilon()
    return 1.0 - 2.0 * intersection / denominator


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """Tversky loss `1 - TP / (TP + alpha * FP + beta * FN)` on soft counts (Salehi et al.,
    2017); `alpha = beta = 0.5` gives the Dice loss.

    Args:
        y_true: targets in [0, 1].
        y_pred: predictions in [0, 1].
        alpha: the weight of false positives, `sum((1 - y_pred) * y_true)` in Keras's
            convention.
        beta: the weight of false negatives, `sum(y_pred * (1 - y_true))`.
        axis: the axes summed over (None: everything).

    Returns:
        The Tversky loss, reduced over `axis`.

    Example:
        >>> round(float(tversky([[1.0, 1.0, 0.0]], [[1.0, 0.0, 0.0]])), 4)
        0.3333
    """
    y_true, y_pred = _cast_pair(y_true, y_pred)
    intersection = _sum(y_true * y_pred, axis)
    fp = _sum((1.0 - y_pred) * y_true, axis)
    fn = _sum(y_pred * (1.0 - y_true), axis)
    score = intersection / (intersection + fp * alpha + fn * beta + backend.epsilon())
    return 1.0 - score


def _column(labels, like):
    labels = as_on_device(labels, like)
    return labels.reshape(-1, 1).long()


def circle_and_mask(
    y_true,
    y_pred,
    ref_labels=None,
    ref_embeddings=None,
    remove_diagonal=True,
    gamma=80,
    margin=0.4,
):
    """Circle loss per sample and the mask of samples that count (those with a loss > 0)."""
    y_pred = as_float_tensor(y_pred)
    ref_embeddings = y_pred if ref_embeddings is None else as_like(ref_embeddings, y_pred)
    query = _column(y_true, y_pred)
    keys = query if ref_labels is None else _column(ref_labels, y_pred)
    distances = (1.0 - y_pred @ ref_embeddings.transpose(0, 1)).clamp_min(0.0)
    positive = query == keys.transpose(0, 1)
    negative = ~positive
    if remove_diagonal:
        eye = torch.eye(*positive.shape, dtype=torch.bool, device=positive.device)
        positive = positive & ~eye
    pos_weights = ((margin + distances) * positive).clamp_min(0.0)
    neg_weights = ((1.0 + margin - distances) * negative).clamp_min(0.0)
    pos_terms = -gamma * pos_weights * (margin - distances)
    neg_terms = gamma * neg_weights * ((1.0 - margin) - distances)
    minus_inf = torch.full_like(distances, float("-inf"))
    p_loss = torch.logsumexp(torch.where(positive, pos_terms, minus_inf), dim=1)
    n_loss = torch.logsumexp(torch.where(negative, neg_terms, minus_inf), dim=1)
    losses = F.softplus(p_loss + n_loss)
    return losses, losses > 0


def circle(
    y_true,
    y_pred,
    ref_labels=None,
    ref_embeddings=None,
    remove_diagonal=True,
    gamma=80,
    margin=0.4,
):
    """Circle loss (Sun et al., 2020) on L2-normalised embeddings: pulls same-label pairs
    together and pushes different-label pairs apart, each pair weighted by how far it is from
    its optimum.

    Args:
        y_true: integer labels, shape `(batch,)`.
        y_pred: L2-normalised embeddings, shape `(batch, dim)`.
        ref_labels: labels of the reference embeddings (default: `y_true`).
        ref_embeddings: reference embeddings (default: `y_pred`).
        remove_diagonal: leave each sample's similarity with itself out of its positives.
        gamma: the scale factor.
        margin: the relaxation margin.

    Returns:
        The loss per sample, shape `(batch,)`. (`Circle` also averages only over the samples
        whose loss is positive, as Keras does.)

    Example:
        >>> import torch
        >>> emb = torch.nn.functional.normalize(torch.tensor([[1.0, 0.1], [0.9, 0.2],
        ...                                                   [-1.0, 0.3]]), dim=-1)
        >>> circle([0, 0, 1], emb).shape
        torch.Size([3])
    """
    losses, _ = circle_and_mask(
        y_true, y_pred, ref_labels, ref_embeddings, remove_diagonal, gamma, margin
    )
    return losses
