"""strata.tuning against KerasTuner's own record of one search space (a JSON fixture written
by tools/keras_fixtures/keras_tuner_space.py with KerasTuner installed)."""

import json
import pathlib

import pytest

pytest.importorskip("optuna")

import strata.tuning as kt
from strata.tuning.hyperparameters import describe_space
from strata.tuning.space import grid_options, iter_grid

FIXTURE = json.loads(
    (pathlib.Path(__file__).parent / "fixtures" / "keras_tuner_space.json").read_text()
)


def build(hp):
    # Identical to `build` in tools/keras_fixtures/keras_tuner_space.py.
    hp.Int("layers", 1, 3)
    hp.Int("units", 32, 256, step=32, default=64)
    hp.Int("batch", 2, 32, step=2, sampling="log")
    hp.Int("heads", 1, 64, sampling="reverse_log")
    hp.Int("rev_step", 1, 100, step=10, sampling="reverse_log")
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    hp.Float("dropout", 0.0, 0.5, step=0.125)
    hp.Float("decay", 0.001, 10.0, step=10.0, sampling="log")
    hp.Choice("activation", ["relu", "tanh", "gelu"])
    hp.Choice("width", [16, 8, 4], default=8)
    hp.Choice("scale", [0.5, 1.5])
    hp.Boolean("bias")
    hp.Boolean("norm", default=True)
    hp.Fixed("optimizer", "adam")
    hp.Fixed("epochs", 3)
    hp.Choice("model", ["linear", "mlp"])
    with hp.conditional_scope("model", "mlp"):
        hp.Int("hidden", 8, 64, step=8)
        hp.Boolean("residual")
        with hp.conditional_scope("residual", [True]):
            hp.Float("alpha", 0.1, 0.9, step=0.2)
    hp.Int("tail", 1, 4, parent_name="model", parent_values=["linear"])


def test_recorded_config_equals_keras_tuner():
    hp = kt.HyperParameters()
    build(hp)
    config = json.loads(json.dumps(hp.get_config()))
    assert config["values"] == FIXTURE["recorded_config"]["values"]
    assert config["space"] == FIXTURE["recorded_config"]["space"]


def test_keras_tuner_config_loads():
    hp = kt.HyperParameters.from_config(FIXTURE["recorded_config"])
    ours = kt.HyperParameters()
    build(ours)
    assert hp.space == ours.space and hp.values == ours.values


def test_summary_text_equals_keras_tuner():
    hp = kt.HyperParameters()
    build(hp)
    assert describe_space(hp) + "\n" == FIXTURE["summary"]


def test_given_values_equal_keras_tuner_for_active_hyperparameters():
    hp = kt.HyperParameters.from_values(FIXTURE["given"])
    build(hp)
    expected = FIXTURE["given_values"]
    # KerasTuner also keeps given values of inactive hyperparameters ("tail" here); strata's
    # `values` holds the active ones only.
    assert hp.values == {k: v for k, v in expected.items() if hp.is_active(k)}
    assert "tail" in expected and "tail" not in hp.values


def test_stepped_value_lists_equal_keras_tuner():
    hp = kt.HyperParameters()
    build(hp)
    by_name = {p.name: p for p in hp.space}
    for name, values in FIXTURE["stepped_values"].items():
        # KerasTuner leaves float noise (0.30000000000000004) that strata removes.
        assert by_name[name].grid_values() == pytest.approx(values), name


def test_grid_value_lists_equal_keras_tuner():
    hp = kt.HyperParameters()
    build(hp)
    for p in hp.space:
        first, *rest = FIXTURE["grid_values"][p.name]
        ours = grid_options(p)
        assert ours[0] == first, p.name
        # KerasTuner lists unstepped quantiles from a set (any order).
        assert sorted(ours[1:]) == pytest.approx(sorted(rest)), p.name
    assert next(iter_grid(hp)) == hp.values  # the defaults come first
