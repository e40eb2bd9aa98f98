"""Focal, generalized, Dice, Tversky, Circle and CTC losses against values recorded from Keras.

Fixture: tests/losses/fixtures/keras_losses.npz, written by
tools/keras_fixtures/metrics_losses.py: every reduction, with and without sample weights.
"""

import re
from pathlib import Path

import numpy as np
import pytest
import torch
from keras_values import KerasValues

import strata
from strata import losses

DATA = KerasValues(Path(__file__).parent / "fixtures" / "keras_losses.npz")
CLASS_CASES = [c for c in DATA.cases if "class" in c]
FUNCTION_CASES = [c for c in DATA.cases if "function" in c]
REDUCTIONS = ["sum_over_batch_size", "sum", "none", "mean_with_sample_weight"]


def _close(actual, expected):
    actual = actual.detach().numpy() if isinstance(actual, torch.Tensor) else actual
    np.testing.assert_allclose(np.asarray(actual, "float64"), expected, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("weighted", [False, True], ids=["plain", "weighted"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", CLASS_CASES, ids=lambda c: c["id"])
def test_losses_equal_keras(case, reduction, weighted):
    key = case["id"]
    loss = getattr(losses, case["class"])(reduction=reduction, **case["kwargs"])
    y_true = torch.from_numpy(DATA[f"{key}/y_true"].copy())
    y_pred = torch.from_numpy(DATA[f"{key}/y_pred"].copy())
    weight = torch.from_numpy(DATA[f"{key}/sample_weight"].copy()) if weighted else None
    expected = DATA[f"{key}/{reduction}/{'weighted' if weighted else 'plain'}"]
    _close(loss(y_true, y_pred, sample_weight=weight), expected)


@pytest.mark.parametrize("case", CLASS_CASES, ids=lambda c: c["id"])
def test_names_configs_and_serialization_match_keras(case):
    loss = getattr(losses, case["class"])(**case["kwargs"])
    assert loss.name == re.sub(r"_\d+$", "", case["name"])
    config = loss.get_config()
    for key, value in case["keras_config"].items():
        assert key in config and config[key] == value, key
    assert type(loss).from_config(config).get_config() == config
    rebuilt = losses.deserialize(losses.serialize(loss))
    assert type(rebuilt) is type(loss) and rebuilt.get_config() == config


@pytest.mark.parametrize("case", FUNCTION_CASES, ids=lambda c: c["id"])
def test_functions_equal_keras(case):
    key = case["id"]
    fn = getattr(losses, case["function"])
    _close(fn(DATA[f"{key}/y_true"], DATA[f"{key}/y_pred"], **case["kwargs"]), DATA[f"{key}/value"])


def test_ctc_gradient_reaches_the_logits():
    logits = torch.from_numpy(DATA["CTC/y_pred"].copy()).requires_grad_(True)
    loss = losses.CTC()(torch.from_numpy(DATA["CTC/y_true"].copy()).long(), logits)
    loss.backward()
    assert torch.isfinite(logits.grad).all() and logits.grad.abs().sum() > 0


def test_circle_leaves_samples_without_pairs_out_of_the_mean():
    """Class 2 has one member: its loss is 0 and the mean is over the other seven samples."""
    ids, emb = DATA["Circle/y_true"], DATA["Circle/y_pred"]
    per_sample = losses.circle(ids, emb)
    assert float(per_sample[5]) == 0.0
    expected = float(per_sample.sum()) / 7
    assert float(losses.Circle()(ids, emb)) == pytest.approx(expected, rel=1e-6)


FUNCTION_NAMES = {
    "binary_focal_crossentropy": losses.binary_focal_crossentropy,
    "categorical_focal_crossentropy": losses.categorical_focal_crossentropy,
    "categorical_generalized_cross_entropy": losses.categorical_generalized_cross_entropy,
    "circle": losses.circle,
    "ctc": losses.ctc,
    "dice": losses.dice,
    "tversky": losses.tversky,
}


@pytest.mark.parametrize("name", sorted(FUNCTION_NAMES))
def test_function_names_resolve(name):
    assert losses.get(name) is FUNCTION_NAMES[name]


@pytest.mark.parametrize(
    "name, cls",
    [
        ("dice", losses.Dice),
        ("tversky", losses.Tversky),
        ("ctc", losses.CTC),
        ("circle", losses.Circle),
        ("binary_focal_crossentropy", losses.BinaryFocalCrossentropy),
        ("categorical_focal_crossentropy", losses.CategoricalFocalCrossentropy),
    ],
)
def test_compile_strings_become_configurable_instances(name, cls):
    loss = losses.to_loss(name)
    assert type(loss) is cls and loss.name == name


@pytest.mark.parametrize(
    "name",
    [
        "BinaryFocalCrossentropy",
        "CategoricalFocalCrossentropy",
        "CategoricalGeneralizedCrossEntropy",
        "Circle",
        "CTC",
        "Dice",
        "Tversky",
    ],
)
def test_class_names_resolve(name):
    assert type(losses.get(name)).__name__ == name


def test_generalized_crossentropy_takes_column_labels():
    probs = torch.tensor([[0.2, 0.8], [0.6, 0.4]])
    flat = losses.categorical_generalized_cross_entropy(torch.tensor([1, 0]), probs, q=0.5)
    column = losses.categorical_generalized_cross_entropy(torch.tensor([[1], [0]]), probs, q=0.5)
    assert torch.allclose(flat, column)


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: losses.CategoricalGeneralizedCrossEntropy(q=1.0), r"q in the interval \(0, 1\)"),
        (lambda: losses.BinaryFocalCrossentropy(label_smoothing=2.0), "label_smoothing"),
        (lambda: losses.CategoricalFocalCrossentropy(label_smoothing=-0.1), "label_smoothing"),
        (lambda: losses.Dice(reduction="avg"), "reduction"),
    ],
)
def test_bad_arguments_raise_value_errors(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_ctc_shape_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"y_true of shape \(batch_size, max_length\).*\(3,\)"):
        losses.ctc(torch.ones(3, dtype=torch.long), torch.zeros(3, 4, 5))
    with pytest.raises(ValueError, match=r"y_pred of shape .*\(3, 4\)"):
        losses.ctc(torch.ones(3, 2, dtype=torch.long), torch.zeros(3, 4))
    with pytest.raises(ValueError, match="integer axis"):
        losses.categorical_focal_crossentropy([[0.0, 1.0]], [[0.5, 0.5]], axis=True)


def test_fit_with_dice_loss_and_binary_iou_metric_trains():
    """A segmentation-style fit: Dice loss, BinaryIoU metric, Keras's history keys."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 4)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    model = strata.Sequential([strata.Input((4,)), strata.layers.Dense(1, activation="sigmoid")])
    model.compile(
        optimizer=strata.optimizers.Adam(0.05), loss="dice", metrics=[strata.metrics.BinaryIoU()]
    )
    # No shuffling: a Dice loss over a batch depends on which samples share it.
    history = model.fit(
        x, y, batch_size=8, epochs=8, shuffle=False, verbose=0, validation_split=0.25
    )
    assert sorted(history.history) == ["binary_io_u", "loss", "val_binary_io_u", "val_loss"]
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["binary_io_u"][-1] > history.history["binary_io_u"][0]


@pytest.mark.parametrize("case", CLASS_CASES, ids=lambda c: c["id"])
def test_configs_written_by_keras_load(case):
    loss = losses.deserialize(case["keras_serialized"])
    assert type(loss).__name__ == case["class"]
    expected = getattr(losses, case["class"])(**case["kwargs"]).get_config()
    assert loss.get_config() == expected
