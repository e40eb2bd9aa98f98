"""Losses: Keras 3's loss classes and per-sample functions, on torch tensors.

`get`, `serialize` and `deserialize` resolve Keras's names and aliases ("mse", "bce",
"kld", ...) through `strata.saving.registry`; nothing is imported by a name read from a file.
"""

import inspect

from strata.losses.functions import (
    binary_crossentropy,
    categorical_crossentropy,
    categorical_hinge,
    cosine_similarity,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from strata.losses.loss import Loss, LossFunctionWrapper, squeeze_or_expand_to_same_rank
from strata.losses.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    CosineSimilarity,
    Hinge,
    Huber,
    KLDivergence,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
)
from strata.losses.margin import (
    Contrastive,
    MarginRanking,
    Triplet,
    contrastive,
    margin_ranking,
    triplet,
)
from strata.losses.special import (
    binary_focal_crossentropy,
    categorical_focal_crossentropy,
    categorical_generalized_cross_entropy,
    circle,
    ctc,
    dice,
    tversky,
)
from strata.losses.special_losses import (
    CTC,
    BinaryFocalCrossentropy,
    CategoricalFocalCrossentropy,
    CategoricalGeneralizedCrossEntropy,
    Circle,
    Dice,
    Tversky,
)
from strata.saving import registry

_CLASSES = (
    Loss,
    LossFunctionWrapper,
    MeanSquaredError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    Huber,
    LogCosh,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    KLDivergence,
    Poisson,
    Hinge,
    SquaredHinge,
    CategoricalHinge,
    CosineSimilarity,
    BinaryFocalCrossentropy,
    CategoricalFocalCrossentropy,
    CategoricalGeneralizedCrossEntropy,
    Circle,
    CTC,
    Dice,
    Tversky,
    Contrastive,
    Triplet,
    MarginRanking,
)
_FUNCTIONS = (
    mean_squared_error,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_logarithmic_error,
    huber,
    log_cosh,
    binary_crossentropy,
    categorical_crossentropy,
    sparse_categorical_crossentropy,
    kl_divergence,
    poisson,
    hinge,
    squared_hinge,
    categorical_hinge,
    cosine_similarity,
    binary_focal_crossentropy,
    categorical_focal_crossentropy,
    categorical_generalized_cross_entropy,
    circle,
    ctc,
    dice,
    tversky,
    contrastive,
    triplet,
    margin_ranking,
)
_ALIASES = {
    "mse": mean_squared_error,
    "MSE": mean_squared_error,
    "mae": mean_absolute_error,
    "MAE": mean_absolute_error,
    "mape": mean_absolute_percentage_error,
    "MAPE": mean_absolute_percentage_error,
    "msle": mean_squared_logarithmic_error,
    "MSLE": mean_squared_logarithmic_error,
    "bce": binary_crossentropy,
    "BCE": binary_crossentropy,
    "kld": kl_divergence,
    "KLD": kl_divergence,
    "kullback_leibler_divergence": kl_divergence,
    "logcosh": log_cosh,
    "huber_loss": huber,
}
# The built-in table the registry consults: class names, function names, aliases.
ALL_OBJECTS = {
    **{cls.__name__: cls for cls in _CLASSES},
    **{fn.__name__: fn for fn in _FUNCTIONS},
    **_ALIASES,
}
# Which class computes each built-in function: lets `to_loss` give a configurable instance.
_CLASS_OF_FUNCTION = {
    mean_squared_error: MeanSquaredError,
    mean_absolute_error: MeanAbsoluteError,
    mean_absolute_percentage_error: MeanAbsolutePercentageError,
    mean_squared_logarithmic_error: MeanSquaredLogarithmicError,
    huber: Huber,
    log_cosh: LogCosh,
    binary_crossentropy: BinaryCrossentropy,
    categorical_crossentropy: CategoricalCrossentropy,
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
    kl_divergence: KLDivergence,
    poisson: Poisson,
    hinge: Hinge,
    squared_hinge: SquaredHinge,
    categorical_hinge: CategoricalHinge,
    cosine_similarity: CosineSimilarity,
    binary_focal_crossentropy: BinaryFocalCrossentropy,
    categorical_focal_crossentropy: CategoricalFocalCrossentropy,
    circle: Circle,
    ctc: CTC,
    dice: Dice,
    tversky: Tversky,
    contrastive: Contrastive,
    triplet: Triplet,
    margin_ranking: MarginRanking,
}


def serialize(loss):
    """A JSON-ready description of a loss: a dict for `Loss` instances, a name for functions."""
    return registry.serialize_keras_object(loss)


def deserialize(config, custom_objects=None):
    """A loss from `serialize`'s output (a dict or a name); classes named alone are built."""
    obj = registry.deserialize_keras_object(
        config, module_objects=ALL_OBJECTS, custom_objects=custom_objects, printable="loss"
    )
    return obj() if inspect.isclass(obj) else obj


def get(identifier):
    """A loss from a name, a config dict, a class, a function or an instance (as Keras's `get`).

    Function names and aliases ("mse", "binary_crossentropy") give the per-sample function;
    class names ("MeanSquaredError") and classes give an instance; None gives None.

    Example:
        >>> get("mse") is mean_squared_error
        True
        >>> type(get("BinaryCrossentropy")).__name__
        'BinaryCrossentropy'
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if inspect.isclass(identifier):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(
        "Could not interpret a loss: expected a loss name, a config dict, a Loss instance or a "
        f"callable; received {identifier!r}."
    )


def to_loss(identifier):
    """A `Loss` instance for any loss identifier, for the trainer.

    A built-in function or its name becomes the matching class (so `from_logits` can be set
    through its config), named as written; any other callable is wrapped in
    `LossFunctionWrapper`.

    Example:
        >>> loss = to_loss("bce")
        >>> type(loss).__name__, loss.name
        ('BinaryCrossentropy', 'bce')
    """
    obj = get(identifier)
    if obj is None or isinstance(obj, Loss):
        return obj
    name = identifier if isinstance(identifier, str) else getattr(obj, "__name__", None)
    cls = _CLASS_OF_FUNCTION.get(obj)
    if cls is not None:
        return cls(name=name)
    return LossFunctionWrapper(obj, name=name)


__all__ = [
    "Contrastive",
    "MarginRanking",
    "Triplet",
    "contrastive",
    "margin_ranking",
    "triplet",
    "ALL_OBJECTS",
    "BinaryFocalCrossentropy",
    "CTC",
    "CategoricalFocalCrossentropy",
    "CategoricalGeneralizedCrossEntropy",
    "Circle",
    "Dice",
    "Tversky",
    "binary_focal_crossentropy",
    "categorical_focal_crossentropy",
    "categorical_generalized_cross_entropy",
    "circle",
    "ctc",
    "dice",
    "tversky",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "CategoricalHinge",
    "CosineSimilarity",
    "Hinge",
    "Huber",
    "KLDivergence",
    "LogCosh",
    "Loss",
    "LossFunctionWrapper",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "Poisson",
    "SparseCategoricalCrossentropy",
    "SquaredHinge",
    "binary_crossentropy",
    "categorical_crossentropy",
    "categorical_hinge",
    "cosine_similarity",
    "deserialize",
    "get",
    "hinge",
    "huber",
    "kl_divergence",
    "log_cosh",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "poisson",
    "serialize",
    "sparse_categorical_crossentropy",
    "squared_hinge",
    "squeeze_or_expand_to_same_rank",
    "to_loss",
]
