"""`strata.metrics.get` names and Keras's accuracy/crossentropy resolution rule."""

import pytest

from strata import losses, metrics

STRINGS = {
    "mse": metrics.MeanSquaredError,
    "mae": metrics.MeanAbsoluteError,
    "mape": metrics.MeanAbsolutePercentageError,
    "msle": metrics.MeanSquaredLogarithmicError,
    "auc": metrics.AUC,
    "precision": metrics.Precision,
    "recall": metrics.Recall,
    "mean_squared_error": metrics.MeanSquaredError,
    "rmse": metrics.RootMeanSquaredError,
    "binary_accuracy": metrics.BinaryAccuracy,
    "top_k_categorical_accuracy": metrics.TopKCategoricalAccuracy,
    "AUC": metrics.AUC,
    "Precision": metrics.Precision,
    "true_positives": metrics.TruePositives,
    "binary_crossentropy": metrics.BinaryCrossentropy,
}


@pytest.mark.parametrize("name", sorted(STRINGS))
def test_get_strings_named_as_written(name):
    m = metrics.get(name)
    assert type(m) is STRINGS[name] and m.name == name


def test_default_names_of_instances():
    assert metrics.MeanSquaredError().name == "mean_squared_error"
    assert metrics.RootMeanSquaredError().name == "root_mean_squared_error"
    assert metrics.AUC().name == "auc" and metrics.AUC().name == "auc_1"
    assert metrics.Precision().name == "precision"
    assert metrics.Recall().name == "recall"
    assert metrics.TruePositives().name == "true_positives"


def test_get_instances_classes_dicts_and_unknown():
    m = metrics.Recall()
    assert metrics.get(m) is m
    assert type(metrics.get(metrics.AUC)) is metrics.AUC
    assert metrics.get(None) is None
    rebuilt = metrics.get(metrics.serialize(metrics.Precision(thresholds=0.7)))
    assert isinstance(rebuilt, metrics.Precision) and rebuilt.thresholds == [0.7]
    with pytest.raises(ValueError, match="Unknown metric: 'f7'.*Expected"):
        metrics.get("f7")
    with pytest.raises(ValueError, match="Could not interpret a metric"):
        metrics.get(3)


BCE_LOSSES = [
    "binary_crossentropy",
    "bce",
    "BinaryCrossentropy",
    losses.BinaryCrossentropy(),
    losses.binary_crossentropy,
    losses.LossFunctionWrapper(losses.binary_crossentropy),
    losses.serialize(losses.BinaryCrossentropy()),
]
SCCE_LOSSES = [
    "sparse_categorical_crossentropy",
    losses.SparseCategoricalCrossentropy(),
    losses.sparse_categorical_crossentropy,
]


@pytest.mark.parametrize("word", ["accuracy", "acc", "ACC"])
@pytest.mark.parametrize("loss", BCE_LOSSES, ids=str)
def test_binary_by_loss(word, loss):
    m = metrics.resolve_metric(word, loss=loss, y_true_shape=(None, 3), y_pred_shape=(None, 3))
    assert type(m) is metrics.BinaryAccuracy and m.name == word


def test_binary_by_last_dim_one():
    m = metrics.resolve_metric(
        "accuracy", loss="mse", y_true_shape=(None, 1), y_pred_shape=(None, 1)
    )
    assert type(m) is metrics.BinaryAccuracy and m.name == "accuracy"


@pytest.mark.parametrize("loss", SCCE_LOSSES, ids=str)
def test_sparse_by_loss(loss):
    m = metrics.resolve_metric("acc", loss=loss)
    assert type(m) is metrics.SparseCategoricalAccuracy and m.name == "acc"


@pytest.mark.parametrize("y_true_shape", [(None,), (32,), (None, 1)])
def test_sparse_by_shapes(y_true_shape):
    m = metrics.resolve_metric(
        "accuracy", loss="categorical_hinge", y_true_shape=y_true_shape, y_pred_shape=(None, 10)
    )
    assert type(m) is metrics.SparseCategoricalAccuracy


def test_categorical_otherwise():
    for kwargs in (
        {
            "loss": "categorical_crossentropy",
            "y_true_shape": (None, 10),
            "y_pred_shape": (None, 10),
        },
        {},
    ):
        m = metrics.resolve_metric("accuracy", **kwargs)
        assert type(m) is metrics.CategoricalAccuracy and m.name == "accuracy"


@pytest.mark.parametrize("word", ["crossentropy", "ce"])
def test_crossentropy_resolution(word):
    assert type(metrics.resolve_metric(word, loss="bce")) is metrics.BinaryCrossentropy
    sparse = metrics.resolve_metric(word, y_true_shape=(None,), y_pred_shape=(None, 4))
    assert type(sparse) is metrics.SparseCategoricalCrossentropy and sparse.name == word
    dense = metrics.resolve_metric(word, y_true_shape=(None, 4), y_pred_shape=(None, 4))
    assert type(dense) is metrics.CategoricalCrossentropy


def test_other_identifiers_pass_through_get():
    assert metrics.resolve_metric("mse", loss="bce").name == "mse"
    auc = metrics.AUC(name="my_auc")
    assert metrics.resolve_metric(auc) is auc
