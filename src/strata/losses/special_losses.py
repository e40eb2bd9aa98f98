"""Loss classes over `special`: focal, generalized crossentropy, Dice, Tversky, Circle, CTC."""

from strata.losses import special
from strata.losses.loss import as_float_tensor
from strata.losses.losses import _check_smoothing, _FunctionLoss


class BinaryFocalCrossentropy(_FunctionLoss):
    """Binary crossentropy that down-weights easy examples by `(1 - p_t) ** gamma`.

    Args:
        apply_class_balancing: weight positives by `alpha` and negatives by `1 - alpha`.
        alpha: the positive class's weight when balancing.
        gamma: the focusing exponent (0: plain binary crossentropy).
        from_logits: whether `y_pred` holds logits.
        label_smoothing: in [0, 1]; labels become `y * (1 - s) + 0.5 * s`.
        axis: the axis averaged over.
        reduction, name, dtype: see `Loss`.

    Example:
        >>> loss = BinaryFocalCrossentropy(gamma=2.0)
        >>> round(float(loss([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])), 4)
        0.2678
    """

    _fn = special.binary_focal_crossentropy
    _args = ("apply_class_balancing", "alpha", "gamma", "from_logits", "label_smoothing", "axis")

    def __init__(
        self,
        apply_class_balancing=False,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_focal_crossentropy",
        dtype=None,
    ):
        _check_smoothing(label_smoothing)
        super().__init__(
            reduction=reduction,
            name=name,
            dtype=dtype,
            apply_class_balancing=apply_class_balancing,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class CategoricalFocalCrossentropy(_FunctionLoss):
    """Categorical crossentropy with each class's term scaled by `alpha * (1 - p) ** gamma`.

    Args:
        alpha: a weight for all classes, or one weight per class (a list).
        gamma: the focusing exponent.
        from_logits: whether `y_pred` holds logits.
        label_smoothing: in [0, 1]; labels become `y * (1 - s) + s / num_classes`.
        axis: the class axis.
        reduction, name, dtype: see `Loss`.

    Example:
        >>> loss = CategoricalFocalCrossentropy()
        >>> round(float(loss([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])), 4)
        0.2332
    """

    _fn = special.categorical_focal_crossentropy
    _args = ("alpha", "gamma", "from_logits", "label_smoothing", "axis")

    def __init__(
        self,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_focal_crossentropy",
        dtype=None,
    ):
        _check_smoothing(label_smoothing)
        super().__init__(
            reduction=reduction,
            name=name,
            dtype=dtype,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class CategoricalGeneralizedCrossEntropy(_FunctionLoss):
    """Generalized crossentropy `(1 - p ** q) / q` for integer labels, robust to label noise.

    Args:
        q: the noise parameter, in (0, 1): near 0 it behaves like crossentropy, near 1 like
            the mean absolute error.
        reduction, name, dtype: see `Loss`.

    Example:
        >>> loss = CategoricalGeneralizedCrossEntropy(q=0.5)
        >>> round(float(loss([1, 0], [[0.2, 0.8], [0.6, 0.4]])), 4)
        0.331
    """

    _fn = special.categorical_generalized_cross_entropy
    _args = ("q",)

    def __init__(
        self,
        q=0.5,
        reduction="sum_over_batch_size",
        name="categorical_generalized_cross_entropy",
        dtype=None,
    ):
        if isinstance(q, bool) or not isinstance(q, (int, float)) or not 0 < q < 1:
            raise ValueError(
                f"CategoricalGeneralizedCrossEntropy expected q in the interval (0, 1); "
                f"received q={q!r}."
            )
        super().__init__(reduction=reduction, name=name, dtype=dtype, q=q)


class CTC(_FunctionLoss):
    """Connectionist Temporal Classification loss.

    Labels are integer sequences of shape `(batch, max_label_length)` padded with 0 (the
    blank); predictions are logits of shape `(batch, timesteps, num_classes)`.

    Args:
        reduction, name, dtype: see `Loss`.

    Example:
        >>> import torch
        >>> float(CTC()([[1, 2]], torch.zeros(1, 3, 3))) > 0
        True
    """

    _fn = special.ctc

    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype)


class Dice(_FunctionLoss):
    """Dice loss `1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred))`.

    Args:
        reduction, name: see `Loss`.
        axis: the axes summed over; None (the default) gives one value for the whole batch,
            `(1, 2, 3)` one value per image.
        dtype: see `Loss`.

    Example:
        >>> round(float(Dice()([[1.0, 1.0, 0.0]], [[1.0, 0.0, 0.0]])), 4)
        0.3333
    """

    _fn = special.dice
    _args = ("axis",)

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype, axis=axis)


class Tversky(_FunctionLoss):
    """Tversky loss `1 - TP / (TP + alpha * FP + beta * FN)` on soft counts.

    Args:
        alpha: the weight of false positives.
        beta: the weight of false negatives.
        reduction, name: see `Loss`.
        axis: the axes summed over (None: everything).
        dtype: see `Loss`.

    Example:
        >>> round(float(Tversky(alpha=0.3, beta=0.7)([[1.0, 1.0, 0.0]], [[1.0, 0.0, 0.0]])), 4)
        0.2308
    """

    _fn = special.tversky
    _args = ("alpha", "beta", "axis")

    def __init__(
        self,
        alpha=0.5,
        beta=0.5,
        reduction="sum_over_batch_size",
        name="tversky",
        axis=None,
        dtype=None,
    ):
        super().__init__(
            reduction=reduction, name=name, dtype=dtype, alpha=alpha, beta=beta, axis=axis
        )


class Circle(_FunctionLoss):
    """Circle loss for metric learning on L2-normalised embeddings (Sun et al., 2020).

    Labels are integer class ids of shape `(batch,)`; predictions are embeddings of shape
    `(batch, dim)`. As in Keras, samples whose loss is 0 (no positive or negative pair) are left
    out of the `"sum_over_batch_size"` average.

    Args:
        gamma: the scale factor.
        margin: the relaxation margin.
        remove_diagonal: leave each sample's similarity with itself out of its positives.
        reduction, name, dtype: see `Loss`.

    Example:
        >>> import torch
        >>> emb = torch.nn.functional.normalize(torch.tensor([[1.0, 0.1], [0.9, 0.2],
        ...                                                   [-1.0, 0.3], [-0.8, 0.1]]), dim=-1)
        >>> float(Circle()([0, 0, 1, 1], emb)) >= 0
        True
    """

    _fn = special.circle
    _args = ("gamma", "margin", "remove_diagonal")

    def __init__(
        self,
        gamma=80.0,
        margin=0.4,
        remove_diagonal=True,
        reduction="sum_over_batch_size",
        name="circle",
        dtype=None,
    ):
        super().__init__(
            reduction=reduction,
            name=name,
            dtype=dtype,
            gamma=gamma,
            margin=margin,
            remove_diagonal=remove_diagonal,
        )

    def call_with_mask(self, y_true, y_pred):
        y_pred = as_float_tensor(y_pred, self.dtype)
        return special.circle_and_mask(
            y_true,
            y_pred,
            remove_diagonal=self.remove_diagonal,
            gamma=self.gamma,
            margin=self.margin,
        )
