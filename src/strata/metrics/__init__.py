"""Metrics: Keras 3's stateful metrics on torch tensors, accumulated on the device.

`get` turns a name, class, config, function or instance into a `Metric`; `resolve_metric` also
applies Keras's rule that picks the binary, categorical or sparse variant of "accuracy" and
"crossentropy" from the loss and the shapes of labels and predictions.
"""

import inspect

from strata import losses as _losses
from strata.backend.naming import to_snake_case
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
from strata.losses.special import binary_focal_crossentropy, categorical_focal_crossentropy
from strata.metrics.accuracy import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from strata.metrics.at_threshold import (
    PrecisionAtRecall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
)
from strata.metrics.confusion import (
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    Recall,
    TrueNegatives,
    TruePositives,
)
from strata.metrics.correlation import (
    ConcordanceCorrelation,
    PearsonCorrelation,
    R2Score,
    concordance_correlation,
    pearson_correlation,
)
from strata.metrics.f_score import F1Score, FBetaScore
from strata.metrics.iou import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from strata.metrics.metric import Mean, MeanMetricWrapper, Metric, Sum
from strata.metrics.probabilistic import (
    CategoricalHinge,
    CosineSimilarity,
    Hinge,
    KLDivergence,
    LogCoshError,
    Poisson,
    SquaredHinge,
)
from strata.metrics.regression import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    RootMeanSquaredError,
    SparseCategoricalCrossentropy,
)
from strata.saving import registry

_CLASSES = (
    Metric,
    Mean,
    Sum,
    MeanMetricWrapper,
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    AUC,
    Precision,
    Recall,
    TruePositives,
    FalsePositives,
    TrueNegatives,
    FalseNegatives,
    MeanSquaredError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    RootMeanSquaredError,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    PrecisionAtRecall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    CosineSimilarity,
    LogCoshError,
    R2Score,
    ConcordanceCorrelation,
    PearsonCorrelation,
    Hinge,
    SquaredHinge,
    CategoricalHinge,
    KLDivergence,
    Poisson,
    F1Score,
    FBetaScore,
    IoU,
    BinaryIoU,
    MeanIoU,
    OneHotIoU,
    OneHotMeanIoU,
)
_FUNCTIONS = (
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    top_k_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    mean_squared_error,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_logarithmic_error,
    binary_crossentropy,
    categorical_crossentropy,
    sparse_categorical_crossentropy,
    huber,
    log_cosh,
    kl_divergence,
    poisson,
    hinge,
    squared_hinge,
    categorical_hinge,
    cosine_similarity,
    binary_focal_crossentropy,
    categorical_focal_crossentropy,
    concordance_correlation,
    pearson_correlation,
)
# A metric string names a class: its own name, its snake-case name, or a Keras alias.
_METRIC_NAMES = {
    "accuracy": Accuracy,
    "acc": Accuracy,
    "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
    "auc": AUC,
    "precision": Precision,
    "recall": Recall,
    "true_positives": TruePositives,
    "false_positives": FalsePositives,
    "true_negatives": TrueNegatives,
    "false_negatives": FalseNegatives,
    "mean": Mean,
    "sum": Sum,
    "mse": MeanSquaredError,
    "MSE": MeanSquaredError,
    "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "MAE": MeanAbsoluteError,
    "mean_absolute_error": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError,
    "MAPE": MeanAbsolutePercentageError,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError,
    "MSLE": MeanSquaredLogarithmicError,
    "mean_squared_logarithmic_error": MeanSquaredLogarithmicError,
    "rmse": RootMeanSquaredError,
    "root_mean_squared_error": RootMeanSquaredError,
    "bce": BinaryCrossentropy,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
}
# Keras also knows every metric class by its snake-case name ("f1_score", "r2_score",
# "cosine_similarity"); those strings name the class, not the loss function of that name.
for _cls in _CLASSES:
    _METRIC_NAMES.setdefault(to_snake_case(_cls.__name__), _cls)
del _cls
ALL_OBJECTS = {
    **{fn.__name__: fn for fn in _FUNCTIONS},
    **{cls.__name__: cls for cls in _CLASSES},
}


def serialize(metric):
    """A JSON-ready description of a metric (a dict; a function by its name)."""
    return registry.serialize_keras_object(metric)


def deserialize(config, custom_objects=None):
    """A metric from `serialize`'s output or a name; a class named alone is instantiated."""
    if isinstance(config, str) and config in _METRIC_NAMES:
        return _named_instance(_METRIC_NAMES[config], config)
    obj = registry.deserialize_keras_object(
        config, module_objects=ALL_OBJECTS, custom_objects=custom_objects, printable="metric"
    )
    return _as_metric(obj, config if isinstance(config, str) else None)


def _named_instance(cls, name):
    """`cls(name=name)`, or a clear error for classes that need arguments (MeanIoU...)."""
    required = [
        p.name
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.default is inspect.Parameter.empty
        and p.name != "self"
        and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    if required:
        raise ValueError(
            f"The metric '{name or cls.__name__}' is {cls.__name__}, which needs the argument(s) "
            f"{required}; expected a metric usable without arguments, so pass an instance "
            f"such as {cls.__name__}({', '.join(f'{r}=...' for r in required)})."
        )
    return cls(name=name) if name else cls()


def deserialize_function(name, custom_objects=None):
    """The per-sample function saved under `name` (for `MeanMetricWrapper` configs)."""
    return registry.deserialize_keras_object(
        name, module_objects=ALL_OBJECTS, custom_objects=custom_objects, printable="metric"
    )


def _as_metric(obj, name=None):
    if isinstance(obj, Metric):
        return obj
    if inspect.isclass(obj) and issubclass(obj, Metric):
        return _named_instance(obj, name)
    if callable(obj):
        return MeanMetricWrapper(obj, name=name or getattr(obj, "__name__", None))
    raise ValueError(
        "Could not interpret a metric: expected a metric name, a config dict, a Metric class "
        f"or instance, or a function fn(y_true, y_pred); received {obj!r}."
    )


def get(identifier):
    """A `Metric` from a name ("mse", "auc", "precision"...), a config dict, a class, an
    instance, or a function `fn(y_true, y_pred)` (wrapped in `MeanMetricWrapper` under the
    function's name). A metric made from a string is named by that string.

    Example:
        >>> m = get("mse")
        >>> type(m).__name__, m.name
        ('MeanSquaredError', 'mse')
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    return _as_metric(identifier)


_BINARY_LOSS_NAMES = {"binary_crossentropy", "bce"}
_SPARSE_LOSS_NAMES = {"sparse_categorical_crossentropy"}


def _loss_kind(loss):
    """'binary', 'sparse' or None: which crossentropy a loss identifier is."""
    if loss is None:
        return None
    if isinstance(loss, str):
        name = loss.lower()
        if name in _BINARY_LOSS_NAMES or name == "binarycrossentropy":
            return "binary"
        if name in _SPARSE_LOSS_NAMES or name == "sparsecategoricalcrossentropy":
            return "sparse"
        return None
    if isinstance(loss, dict):
        return _loss_kind(loss.get("class_name"))
    if isinstance(loss, _losses.LossFunctionWrapper):
        loss = loss.fn
    if isinstance(loss, _losses.BinaryCrossentropy) or loss is binary_crossentropy:
        return "binary"
    if isinstance(loss, _losses.SparseCategoricalCrossentropy) or (
        loss is sparse_categorical_crossentropy
    ):
        return "sparse"
    return None


def _last(shape):
    return None if shape is None or len(shape) == 0 else shape[-1]


def resolve_metric(identifier, loss=None, y_true_shape=None, y_pred_shape=None):
    """A `Metric` for a `compile(metrics=...)` entry, with Keras's rule for accuracy.

    "accuracy"/"acc" (and "crossentropy"/"ce") become the binary variant when the loss is
    binary crossentropy or predictions have a last dimension of 1; else the sparse variant when
    the loss is sparse categorical crossentropy, or labels have one dimension less than
    predictions or a trailing 1 while predictions have more than one class; else the
    categorical variant. The metric is named by the string as written (its history key).

    Args:
        identifier: anything `get` accepts.
        loss: the compiled loss (name, instance or function), or None.
        y_true_shape: the labels' shape, or None when unknown.
        y_pred_shape: the predictions' shape, or None when unknown.

    Returns:
        A `Metric` instance.

    Example:
        >>> m = resolve_metric("acc", y_true_shape=(None,), y_pred_shape=(None, 10))
        >>> type(m).__name__, m.name
        ('SparseCategoricalAccuracy', 'acc')
    """
    if not isinstance(identifier, str) or identifier.lower() not in (
        "accuracy",
        "acc",
        "crossentropy",
        "ce",
    ):
        return get(identifier)
    kind = _loss_kind(loss)
    pred_last = _last(y_pred_shape)
    true_last = _last(y_true_shape)
    if kind == "binary" or pred_last == 1:
        variant = "binary"
    elif kind == "sparse" or (
        y_true_shape is not None
        and y_pred_shape is not None
        and (len(y_true_shape) == len(y_pred_shape) - 1 or true_last == 1)
        and (pred_last is None or pred_last > 1)
    ):
        variant = "sparse"
    else:
        variant = "categorical"
    if identifier.lower() in ("accuracy", "acc"):
        table = {
            "binary": BinaryAccuracy,
            "sparse": SparseCategoricalAccuracy,
            "categorical": CategoricalAccuracy,
        }
    else:
        table = {
            "binary": BinaryCrossentropy,
            "sparse": SparseCategoricalCrossentropy,
            "categorical": CategoricalCrossentropy,
        }
    return table[variant](name=identifier)


__all__ = sorted(
    [cls.__name__ for cls in _CLASSES]
    + [fn.__name__ for fn in _FUNCTIONS]
    + ["ALL_OBJECTS", "deserialize", "deserialize_function", "get", "resolve_metric", "serialize"]
)
