import doctest
import math

import pytest

pytest.importorskip("optuna")

import strata.tuning as kt
from strata.tuning import objective as objective_module
from strata.tuning.objective import MultiObjective


@pytest.mark.parametrize(
    "name",
    [
        "loss",
        "val_loss",
        "mse",
        "val_mae",
        "mean_squared_error",
        "val_mean_absolute_error",
        "root_mean_squared_error",
        "binary_crossentropy",
        "val_sparse_categorical_crossentropy",
        "weighted_loss",
        "val_weighted_mape",
        "kl_divergence",
        "hinge",
        "out_a_loss",
        "huber",
    ],
)
def test_losses_and_errors_are_minimised(name):
    assert kt.Objective.resolve(name) == kt.Objective(name, "min")


@pytest.mark.parametrize(
    "name",
    [
        "accuracy",
        "val_accuracy",
        "acc",
        "val_acc",
        "auc",
        "val_auc",
        "precision",
        "recall",
        "val_f1_score",
        "sparse_categorical_accuracy",
        "val_binary_accuracy",
        "r2_score",
        "val_weighted_accuracy",
        "out_a_accuracy",
        "mean_iou",
        "top_k_categorical_accuracy",
    ],
)
def test_accuracy_like_names_are_maximised(name):
    assert kt.Objective.resolve(name) == kt.Objective(name, "max")


@pytest.mark.parametrize("name", ["val_score", "cosine_similarity", "throughput"])
def test_unknown_names_ask_for_an_objective(name):
    with pytest.raises(ValueError, match=rf"'{name}'.*kt.Objective\('{name}', direction="):
        kt.Objective.resolve(name)


def test_resolve_passes_objectives_and_none():
    obj = kt.Objective("score", "max")
    assert kt.Objective.resolve(obj) is obj
    assert kt.Objective.resolve(None) == kt.Objective("default_objective", "min")
    with pytest.raises(ValueError, match="received 3"):
        kt.Objective.resolve(3)


def test_direction_is_validated():
    with pytest.raises(ValueError, match="'min' or 'max'; received 'minimize'"):
        kt.Objective("loss", "minimize")
    with pytest.raises(ValueError, match="non-empty str name"):
        kt.Objective("", "min")


def test_optuna_direction_and_comparisons():
    low, high = kt.Objective("loss", "min"), kt.Objective("acc", "max")
    assert (low.optuna_direction, high.optuna_direction) == ("minimize", "maximize")
    assert low.is_better(0.1, 0.2) and not low.is_better(0.2, 0.1) and not low.is_better(1, 1)
    assert high.is_better(0.9, 0.8) and not high.better_than(0.8, 0.9)
    assert not low.is_better(math.nan, 0.2) and low.is_better(0.2, math.nan)
    assert high.has_value({"acc": 1.0}) and not high.has_value({"loss": 1.0})
    assert high.get_value({"acc": 0.5}) == 0.5


def test_equality_repr_and_config():
    obj = kt.Objective("val_accuracy", direction="max")
    assert repr(obj) == 'Objective(name="val_accuracy", direction="max")'
    assert obj == kt.Objective("val_accuracy", "max") != kt.Objective("val_accuracy", "min")
    assert obj != "val_accuracy"
    assert kt.Objective.from_config(obj.get_config()) == obj
    assert len({obj, kt.Objective("val_accuracy", "max")}) == 1


def test_a_list_sums_like_keras_tuner():
    multi = kt.Objective.resolve(["val_loss", kt.Objective("val_auc", "max")])
    assert isinstance(multi, MultiObjective)
    assert (multi.name, multi.direction, multi.optuna_direction) == (
        "multi_objective",
        "min",
        "minimize",
    )
    logs = {"val_loss": 0.5, "val_auc": 0.875, "other": 100.0}
    assert multi.get_value(logs) == pytest.approx(0.5 - 0.875)
    assert multi.has_value(logs) and not multi.has_value({"val_loss": 1.0})
    assert multi == kt.Objective.resolve(["val_auc", "val_loss"])
    assert MultiObjective.from_config(multi.get_config()) == multi
    with pytest.raises(ValueError, match="non-empty list"):
        kt.Objective.resolve([])
    with pytest.raises(ValueError, match="kt.Objective"):
        kt.Objective.resolve(["val_loss", "mystery"])


def test_docstring_examples_run():
    outcome = doctest.testmod(objective_module)
    assert outcome.attempted > 0 and outcome.failed == 0
