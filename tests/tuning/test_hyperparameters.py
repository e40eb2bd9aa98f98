import doctest
import json

import pytest

optuna = pytest.importorskip("optuna")

import strata.tuning as kt  # noqa: E402
from strata.tuning import conditions, hp_types, hyperparameters, space  # noqa: E402
from strata.tuning.hyperparameters import (  # noqa: E402
    Boolean,
    Choice,
    Fixed,
    Float,
    Int,
    describe_space,
    distributions,
    grid,
    values_from_trial,
)

optuna.logging.set_verbosity(optuna.logging.WARNING)


def new_trial(seed=0):
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    return study, study.ask()


def build(hp):
    """A small build function with every kind and a conditional branch."""
    hp.Int("layers", 1, 3)
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    hp.Boolean("bias")
    hp.Fixed("optimizer", "adam")
    model = hp.Choice("model", ["linear", "mlp"])
    with hp.conditional_scope("model", "mlp"):
        hp.Int("units", 8, 64, step=8)
        hp.Float("dropout", 0.0, 0.5, step=0.1)
    return model


# -- recording mode: KerasTuner's defaults ----------------------------------------------------


def test_recording_mode_returns_keras_tuner_defaults():
    hp = kt.HyperParameters()
    assert hp.Int("i", 3, 9) == 3
    assert hp.Int("i_default", 3, 9, default=5) == 5
    assert hp.Float("f", 0.25, 1.0) == 0.25
    assert hp.Float("f_default", 0.25, 1.0, default=0.5) == 0.5
    assert hp.Choice("c", ["b", "a"]) == "b"
    assert hp.Choice("c_default", [1, 2, 3], default=2) == 2
    assert hp.Boolean("flag") is False
    assert hp.Boolean("flag_true", default=True) is True
    assert hp.Fixed("fixed", "sgd") == "sgd"
    assert list(hp.values) == [
        "i",
        "i_default",
        "f",
        "f_default",
        "c",
        "c_default",
        "flag",
        "flag_true",
        "fixed",
    ]
    assert [type(p).__name__ for p in hp.space] == [
        "Int",
        "Int",
        "Float",
        "Float",
        "Choice",
        "Choice",
        "Boolean",
        "Boolean",
        "Fixed",
    ]
    assert hp.trial is None


def test_redeclaring_returns_the_chosen_value():
    hp = kt.HyperParameters.from_values({"units": 48})
    assert hp.Int("units", 8, 64, step=8) == 48
    assert hp.Int("units", 8, 64, step=8) == 48
    assert len(hp.space) == 1


def test_redeclaring_with_another_range_names_both():
    hp = kt.HyperParameters()
    hp.Int("units", 8, 64)
    with pytest.raises(ValueError, match=r"'units'.*Int\(.*max_value=64.*Int\(.*max_value=32"):
        hp.Int("units", 8, 32)
    with pytest.raises(ValueError, match=r"Int\(.*Float\("):
        hp.Float("units", 8, 64)


def test_get_item_contains_and_errors():
    hp = kt.HyperParameters()
    build(hp)
    assert hp.get("layers") == 1 and hp["model"] == "linear"
    assert "lr" in hp and "units" not in hp and "missing" not in hp
    with pytest.raises(ValueError, match="inactive"):
        hp.get("units")
    with pytest.raises(KeyError, match="missing"):
        hp["missing"]


def test_name_scope_prefixes_names():
    hp = kt.HyperParameters()
    with hp.name_scope("block"):
        hp.Int("units", 1, 4)
        assert hp.get("units") == 1
    assert list(hp.values) == ["block/units"]


# -- conditional scopes -----------------------------------------------------------------------


def test_inactive_conditional_returns_none_and_is_recorded():
    hp = kt.HyperParameters()
    assert build(hp) == "linear"
    assert hp.is_active("layers") and not hp.is_active("units")
    assert "units" not in hp.values and "dropout" not in hp.values
    assert [p.name for p in hp.space][-2:] == ["units", "dropout"]
    assert hp.space[-1].conditions == [hp_types.Parent("model", ["mlp"])]


def test_active_conditional_uses_value():
    hp = kt.HyperParameters.from_values({"model": "mlp", "units": 32})
    build(hp)
    assert hp.values["units"] == 32 and hp.values["dropout"] == 0.0
    assert hp.is_active("units")


def test_nested_scopes_need_every_condition():
    def nested(hp):
        hp.Choice("a", ["x", "y"])
        with hp.conditional_scope("a", "y"):
            hp.Boolean("b")
            with hp.conditional_scope("b", [True]):
                return hp.Int("c", 1, 5, default=2)

    assert nested(kt.HyperParameters.from_values({"a": "y", "b": True})) == 2
    assert nested(kt.HyperParameters.from_values({"a": "y", "b": False})) is None
    # Parent inactive: the grandchild is inactive even if b's value were True.
    hp = kt.HyperParameters.from_values({"a": "x", "b": True})
    assert nested(hp) is None and list(hp.values) == ["a"]


def test_parent_name_argument_equals_scope():
    hp = kt.HyperParameters.from_values({"model": "mlp", "units": 16})
    hp.Choice("model", ["linear", "mlp"])
    assert hp.Int("units", 8, 64, parent_name="model", parent_values=["mlp"]) == 16
    assert hp.space[-1].conditions == [hp_types.Parent("model", ["mlp"])]


def test_conditional_scope_errors():
    hp = kt.HyperParameters()
    with pytest.raises(ValueError, match="'nope' is not declared"):
        with hp.conditional_scope("nope", [1]):
            pass
    hp.Choice("a", [1, 2])
    with pytest.raises(ValueError, match="named like its parent"):
        with hp.conditional_scope("a", [1]):
            hp.Int("a", 1, 2)


def test_same_name_in_two_branches():
    def branches(hp):
        kind = hp.Choice("kind", ["small", "big"])
        with hp.conditional_scope("kind", "small"):
            hp.Int("units", 1, 8)
        with hp.conditional_scope("kind", "big"):
            hp.Int("units", 64, 128)
        return kind

    hp = kt.HyperParameters.from_values({"kind": "big"})
    branches(hp)
    assert hp.values == {"kind": "big", "units": 64}
    assert len(hp.space) == 3


# -- trial mode -------------------------------------------------------------------------------


def test_trial_mode_samples_with_optuna():
    study, trial = new_trial()
    hp = kt.HyperParameters.from_trial(trial)
    model = build(hp)
    assert hp.trial is trial
    assert trial.user_attrs == {"fixed:optimizer": "adam"}
    expected = {"layers", "lr", "bias", "model"}
    if model == "mlp":
        expected |= {"units", "dropout"}
    assert set(trial.params) == expected
    assert values_from_trial(trial) == hp.values
    assert {k: hp.values[k] for k in trial.params} == pytest.approx(trial.params)
    assert 1 <= hp.values["layers"] <= 3 and 1e-4 <= hp.values["lr"] <= 1e-1


def test_inactive_conditionals_are_not_sampled():
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    seen = set()
    for _ in range(12):
        trial = study.ask()
        hp = kt.HyperParameters.from_trial(trial)
        model = build(hp)
        seen.add(model)
        assert ("units" in trial.params) == (model == "mlp")
        assert ("dropout" in trial.params) == (model == "mlp")
        study.tell(trial, 0.0)
    assert seen == {"linear", "mlp"}


def test_same_seed_same_values_other_seed_other_values():
    def sample(seed):
        study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
        out = []
        for _ in range(4):
            trial = study.ask()
            hp = kt.HyperParameters.from_trial(trial)
            build(hp)
            out.append(dict(hp.values))
            study.tell(trial, hp.values["lr"])
        return out

    assert sample(3) == sample(3)
    assert sample(3) != sample(4)


def test_trial_mode_mapping_to_distributions():
    study, trial = new_trial()
    hp = kt.HyperParameters.from_trial(trial)
    hp.Int("step", 8, 60, step=8)
    hp.Int("log", 1, 1000, sampling="log")
    hp.Int("log_step", 2, 32, step=2, sampling="log")
    hp.Float("float_step", 0.0, 1.0, step=0.25)
    hp.Choice("choice", [0.1, 0.2])
    hp.Boolean("flag")
    d = trial.distributions
    assert d["step"] == optuna.distributions.IntDistribution(8, 56, step=8)
    assert d["log"] == optuna.distributions.IntDistribution(1, 1000, log=True)
    # Optuna forbids log with a step: KerasTuner's multiplier grid becomes a categorical.
    assert d["log_step"] == optuna.distributions.CategoricalDistribution([2, 4, 8, 16, 32])
    assert d["float_step"] == optuna.distributions.FloatDistribution(0.0, 1.0, step=0.25)
    assert d["choice"] == optuna.distributions.CategoricalDistribution([0.1, 0.2])
    assert d["flag"] == optuna.distributions.CategoricalDistribution([False, True])
    assert hp.values["step"] % 8 == 0 and hp.values["log_step"] in (2, 4, 8, 16, 32)
    assert distributions(hp) == dict(d)


def test_stepped_floats_land_exactly_on_the_grid():
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    grid_values = Float("d", 0.0, 1.0, step=0.1).grid_values()
    seen = set()
    for _ in range(40):
        trial = study.ask()
        value = kt.HyperParameters.from_trial(trial).Float("d", 0.0, 1.0, step=0.1)
        assert value in grid_values and values_from_trial(trial)["d"] == value
        seen.add(value)
        study.tell(trial, 0.0)
    assert len(seen) > 5  # Optuna itself returns 0.6000000000000001 for some of these


def test_same_name_in_two_branches_across_trials():
    def branches(hp):
        kind = hp.Choice("kind", ["small", "big"])
        with hp.conditional_scope("kind", "small"):
            hp.Int("units", 1, 8)
        with hp.conditional_scope("kind", "big"):
            hp.Int("units", 64, 128)
        return kind

    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0, n_startup_trials=4))
    for _ in range(10):
        trial = study.ask()
        hp = kt.HyperParameters.from_trial(trial)
        kind = branches(hp)
        low, high = (1, 8) if kind == "small" else (64, 128)
        assert low <= trial.params["units"] <= high
        study.tell(trial, float(hp.values["units"]))


def test_values_without_a_descriptor_are_used_when_declared():
    # KerasTuner's way to rebuild: restore a config, then declare on it.
    hp = kt.HyperParameters.from_config({"space": [], "values": {"units": 40}})
    assert hp.Int("units", 8, 64, step=8) == 40


def test_reverse_log_crowds_near_max():
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    floats, ints = [], []
    for _ in range(200):
        trial = study.ask()
        hp = kt.HyperParameters.from_trial(trial)
        floats.append(hp.Float("f", 1.0, 100.0, sampling="reverse_log"))
        ints.append(hp.Int("i", 1, 100, sampling="reverse_log"))
        assert trial.params["reverse_log:f"] == pytest.approx(101.0 - floats[-1])
        assert values_from_trial(trial)["i"] == ints[-1]
        study.tell(trial, 0.0)
    assert all(1.0 <= f <= 100.0 for f in floats) and all(isinstance(i, int) for i in ints)
    # Log-uniform mirrored: P(value > 90) = log(11)/log(100) ~ 0.52, versus 0.1 uniformly.
    assert sum(f > 90 for f in floats) > 80
    assert sum(i > 90 for i in ints) > 80
    frozen = study.trials[0]
    assert values_from_trial(frozen)["f"] == pytest.approx(floats[0])


def test_values_from_trial_rebuilds_the_same_model():
    study, trial = new_trial(seed=5)
    hp = kt.HyperParameters.from_trial(trial)
    build(hp)
    hp.Float("r", 0.5, 2.0, sampling="reverse_log")
    study.tell(trial, 1.0)
    rebuilt = kt.HyperParameters.from_values(values_from_trial(study.best_trial))
    build(rebuilt)
    rebuilt.Float("r", 0.5, 2.0, sampling="reverse_log")
    assert rebuilt.values == pytest.approx(hp.values)


def test_enqueued_params_are_used():
    hp = kt.HyperParameters()
    build(hp)
    hp.Int("r", 1, 50, sampling="reverse_log")
    wanted = {"layers": 2, "model": "mlp", "units": 24, "r": 45}
    study = optuna.create_study()
    study.enqueue_trial(space.to_params(hp, wanted))
    trial = study.ask()
    sampled = kt.HyperParameters.from_trial(trial)
    build(sampled)
    sampled.Int("r", 1, 50, sampling="reverse_log")
    assert {k: sampled.values[k] for k in wanted} == wanted


# -- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "declare, message",
    [
        (lambda hp: hp.Int("x", 5, 1), r"min_value <= max_value; received min_value=5, max"),
        (lambda hp: hp.Float("x", 1.0, 0.5), r"min_value <= max_value"),
        (lambda hp: hp.Int("x", 0, 5, sampling="log"), r"min_value > 0; received min_value=0"),
        (lambda hp: hp.Float("x", -1.0, 5.0, sampling="reverse_log"), r"min_value > 0"),
        (lambda hp: hp.Float("x", 0.1, 5.0, sampling="cubic"), r"sampling in .*'cubic'"),
        (lambda hp: hp.Float("x", 0.1, 5.0, step=1, sampling="log"), r"step > 1"),
        (lambda hp: hp.Int("x", 1, 5, step=0), r"step > 0; received step=0"),
        (lambda hp: hp.Int("x", 1.5, 5), r"an int min_value; received 1.5"),
        (lambda hp: hp.Int("x", 1, 5, default=9), r"default in \[1, 5\]; received default=9"),
        (lambda hp: hp.Float("x", "a", 5), r"a number min_value; received 'a'"),
        (lambda hp: hp.Choice("x", []), r"non-empty list of values; received \[\]"),
        (lambda hp: hp.Choice("x", [1, "a"]), r"one type .*\['int', 'str'\]"),
        (lambda hp: hp.Choice("x", [1, 2.0]), r"one type .*\['float', 'int'\]"),
        (lambda hp: hp.Choice("x", [[1], [2]]), r"one type .*\['list'\]"),
        (lambda hp: hp.Choice("x", [1, 1]), r"distinct values"),
        (lambda hp: hp.Choice("x", ["a", "b"], default="c"), r"default among .*'c'"),
        (lambda hp: hp.Choice("x", ["a", "b"], ordered=True), r"ordered=False"),
        (lambda hp: hp.Boolean("x", default=1), r"bool default; received 1"),
        (lambda hp: hp.Fixed("x", [1]), r"Fixed\('x'\) expected an int, float, str or bool"),
        (lambda hp: hp.Int("", 1, 2), r"non-empty str; received ''"),
    ],
)
def test_bad_arguments_raise_value_error(declare, message):
    with pytest.raises(ValueError, match=message):
        declare(kt.HyperParameters())


def test_sampling_is_case_insensitive_and_none_means_linear():
    assert Int("i", 1, 3, sampling="LINEAR").grid_values() == [1, 2, 3]
    assert Int("i", 1, 3, sampling=None).step == 1
    assert Float("f", 0.1, 1.0, sampling="Log").sampling == "log"


def test_choice_accepts_none_and_bools():
    hp = kt.HyperParameters()
    assert hp.Choice("reg", [None, 0.01]) is None
    assert hp.Choice("flags", [True, False]) is True
    assert hp.space[0].ordered and hp.space[1].ordered
    assert not Choice("s", ["a", "b"]).ordered


# -- copies, configs, summary -----------------------------------------------------------------


def test_config_round_trip_is_json_safe():
    hp = kt.HyperParameters.from_values({"model": "mlp"})
    build(hp)
    hp.Float("r", 1.0, 10.0, step=2.0, sampling="reverse_log")
    config = json.loads(json.dumps(hp.get_config()))
    restored = kt.HyperParameters.from_config(config)
    assert restored.values == hp.values
    assert restored.space == hp.space
    assert restored.get_config() == hp.get_config()
    # Declaring a known hyperparameter on the restored container gives the stored value.
    assert restored.Int("units", 8, 64, step=8) == hp.values["units"]
    for p in hp.space:
        assert type(p).from_config(json.loads(json.dumps(p.get_config()))) == p


def test_descriptor_configs_use_keras_tuner_keys():
    assert Int("u", 1, 5).get_config() == {
        "name": "u",
        "default": None,
        "conditions": [],
        "min_value": 1,
        "max_value": 5,
        "step": 1,
        "sampling": "linear",
    }
    # KerasTuner writes Int's raw default but the resolved default of the other kinds.
    assert Float("f", 0.5, 1).get_config()["step"] is None
    assert Float("f", 0.5, 1).get_config()["default"] == 0.5
    assert Choice("c", ["a"]).get_config() == {
        "name": "c",
        "default": "a",
        "conditions": [],
        "values": ["a"],
        "ordered": False,
    }
    assert Boolean("b").get_config() == {"name": "b", "default": False, "conditions": []}
    assert Fixed("x", 3).get_config() == {"name": "x", "conditions": [], "value": 3}


def test_copy_keeps_mode_and_is_independent():
    study, trial = new_trial()
    hp = kt.HyperParameters.from_trial(trial)
    hp.Int("a", 1, 3)
    twin = hp.copy()
    assert twin.trial is trial and twin.values == hp.values
    twin.Int("b", 1, 3)
    assert "b" not in hp.values and "b" in trial.params
    given = kt.HyperParameters.from_values({"c": 7}).copy()
    assert given.Int("c", 1, 9) == 7


def test_repr_names_mode_and_values():
    assert repr(kt.HyperParameters()) == "HyperParameters(mode='recording', space=0, values={})"
    hp = kt.HyperParameters.from_values({"a": 2})
    hp.Int("a", 1, 3)
    assert repr(hp) == "HyperParameters(mode='values', space=1, values={'a': 2})"
    assert repr(hp.space[0]) == (
        "Int(name='a', default=None, min_value=1, max_value=3, step=1, sampling='linear')"
    )


def test_describe_space_matches_keras_tuner_layout():
    hp = kt.HyperParameters()
    hp.Int("units", 32, 64, step=32)
    hp.Choice("act", ["relu", "tanh"])
    lines = describe_space(hp).splitlines()
    assert lines[:3] == ["Search space summary", "Default search space size: 2", "units (Int)"]
    assert lines[3] == str(
        {
            "default": None,
            "conditions": [],
            "min_value": 32,
            "max_value": 64,
            "step": 32,
            "sampling": "linear",
        }
    )
    assert lines[4] == "act (Choice)"
    assert len(lines) == 6


def test_from_values_rejects_non_dict():
    with pytest.raises(ValueError, match="expected a dict; received list"):
        kt.HyperParameters.from_values([1, 2])


# -- grid -------------------------------------------------------------------------------------


def test_grid_enumerates_conditional_branches():
    hp = kt.HyperParameters()
    hp.Boolean("bias")
    model = hp.Choice("model", ["linear", "mlp"])
    with hp.conditional_scope("model", "mlp"):
        hp.Int("units", 8, 24, step=8)
    hp.Fixed("opt", "adam")
    assert model == "linear"
    combos = grid(hp)
    assert len(combos) == 2 * (1 + 3)
    assert {"bias": False, "model": "linear", "opt": "adam"} in combos
    assert {"bias": True, "model": "mlp", "units": 24, "opt": "adam"} in combos
    assert len({json.dumps(c, sort_keys=True) for c in combos}) == len(combos)


def test_grid_values_per_kind():
    assert Int("i", 6, 13, step=3).grid_values() == [6, 9, 12]
    assert Float("f", 0.0, 1.0, step=0.2).grid_values() == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert Float("f", 0.001, 10.0, step=10, sampling="log").grid_values() == [
        0.001,
        0.01,
        0.1,
        1.0,
        10.0,
    ]
    assert Int("i", 1, 100, step=10, sampling="reverse_log").grid_values() == [100, 91, 1]


def test_grid_without_a_step_takes_ten_quantiles():
    assert Float("f", 0.0, 1.0).grid_values() == [
        0.05,
        0.15,
        0.25,
        0.35,
        0.45,
        0.55,
        0.65,
        0.75,
        0.85,
        0.95,
    ]
    assert Int("i", 1, 64, sampling="log").grid_values() == [1, 2, 4, 6, 9, 15, 22, 34, 52]
    lr = Float("lr", 1e-4, 1e-2, sampling="log").grid_values()
    assert len(lr) == 10 and lr[0] == pytest.approx(1e-4 * 10**0.1)
    hp = kt.HyperParameters()
    hp.Float("lr", 1e-4, 1e-2, sampling="log")
    hp.Boolean("bias", default=True)
    combos = grid(hp)
    # The default (min_value) is tried first although no quantile reaches it.
    assert len(combos) == 11 * 2
    assert combos[0] == {"lr": 1e-4, "bias": True} and combos[1] == {"lr": 1e-4, "bias": False}


MODULES = [conditions, hp_types, space, hyperparameters]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_docstring_examples_run(module):
    outcome = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert outcome.attempted > 0 and outcome.failed == 0


def test_a_frozen_trial_rebuilds_its_values():
    # Optuna's FrozenTrial answers suggest_* with its stored params, so the best trial can be
    # replayed through from_trial as well as through values_from_trial + from_values.
    study, trial = new_trial(seed=2)
    hp = kt.HyperParameters.from_trial(trial)
    build(hp)
    hp.Float("r", 1.0, 10.0, sampling="reverse_log")
    study.tell(trial, 0.5)
    replay = kt.HyperParameters.from_trial(study.best_trial)
    build(replay)
    replay.Float("r", 1.0, 10.0, sampling="reverse_log")
    assert replay.values == hp.values


def test_given_values_of_inactive_hyperparameters_are_ignored():
    hp = kt.HyperParameters.from_values({"model": "linear", "units": 40, "unknown": 1})
    build(hp)
    assert "units" not in hp.values and "unknown" not in hp.values
    assert hp.is_active(hp.space[0]) and not hp.is_active(hp.space[-1])
    assert not hp.is_active("never_declared")


def test_two_active_declarations_of_a_name_must_agree():
    hp = kt.HyperParameters()
    hp.Choice("a", ["x", "y"])
    hp.Boolean("b", default=True)
    with hp.conditional_scope("a", "x"):
        hp.Int("units", 1, 8)
    with hp.conditional_scope("b", True):
        assert hp.Int("units", 1, 8) == 1  # same range: the same hyperparameter
        with pytest.raises(ValueError, match=r"'units'.*max_value=8.*max_value=9"):
            hp.Int("units", 1, 9, default=2)


def test_redeclaring_in_trial_mode_does_not_resample():
    study, trial = new_trial(seed=4)
    hp = kt.HyperParameters.from_trial(trial)
    first = hp.Float("lr", 1e-4, 1e-1, sampling="log")
    assert hp.Float("lr", 1e-4, 1e-1, sampling="log") == first
    assert list(trial.params) == ["lr"] and len(hp.space) == 1


def test_every_grid_combination_replays_through_enqueued_trials():
    # The grid-search path: each combination is enqueued as Optuna params and sampled back.
    def small(hp):
        hp.Float("d", 0.0, 0.2, step=0.1)
        hp.Int("b", 2, 8, step=2, sampling="log")
        kind = hp.Choice("kind", ["a", "b"])
        with hp.conditional_scope("kind", "b"):
            hp.Int("r", 1, 3, sampling="reverse_log")
            hp.Float("lr", 0.01, 0.1, sampling="log")
        hp.Fixed("opt", "adam")
        return kind

    hp = kt.HyperParameters()
    small(hp)
    combos = grid(hp)
    assert len(combos) == 3 * 3 * (1 + 3 * 11)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for combo in combos:
        study.enqueue_trial(space.to_params(hp, combo))
    for combo in combos:
        trial = study.ask()
        replay = kt.HyperParameters.from_trial(trial)
        small(replay)
        assert replay.values == combo
        study.tell(trial, 0.0)


def test_more_value_errors():
    with pytest.raises(ValueError, match="at least one parent value"):
        conditions.Parent("a", [])
    with pytest.raises(ValueError, match=r"class_name among .*received 'Dense'"):
        hp_types.deserialize({"class_name": "Dense", "config": {}})
