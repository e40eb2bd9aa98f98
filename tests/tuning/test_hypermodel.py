import doctest

import numpy as np
import pytest

optuna = pytest.importorskip("optuna")

import strata as keras  # noqa: E402
import strata.tuning as kt  # noqa: E402
from strata.tuning import hypermodel as hypermodel_module  # noqa: E402
from strata.tuning.hypermodel import get_hypermodel  # noqa: E402

optuna.logging.set_verbosity(optuna.logging.WARNING)


class Regressor(kt.HyperModel):
    def build(self, hp):
        model = keras.Sequential(
            [
                keras.layers.Input((3,)),
                keras.layers.Dense(hp.Int("units", 2, 4), activation="relu"),
                keras.layers.Dense(1),
            ]
        )
        model.compile(optimizer="sgd", loss="mse")
        return model

    def fit(self, hp, model, *a, **kw):
        return model.fit(*a, batch_size=hp.Choice("batch_size", [16, 32]), **kw)


def data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(64, 3)).astype("float32"), rng.normal(size=(64, 1)).astype("float32")


@pytest.mark.parametrize("batch_size, steps", [(16, 4), (32, 2)])
def test_fit_override_tunes_batch_size(batch_size, steps):
    x, y = data()
    hypermodel = Regressor()
    hp = kt.HyperParameters.from_values({"units": 3, "batch_size": batch_size})
    model = hypermodel.build(hp)
    history = hypermodel.fit(hp, model, x, y, epochs=1, verbose=0)
    assert history.params["steps"] == steps
    assert model.layers[0].units == 3
    assert hp.values == {"units": 3, "batch_size": batch_size}
    assert [p.name for p in hp.space] == ["units", "batch_size"]


def test_fit_with_an_optuna_trial_records_batch_size():
    x, y = data()
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    trial = study.ask()
    hp = kt.HyperParameters.from_trial(trial)
    hypermodel = Regressor()
    history = hypermodel.fit(hp, hypermodel.build(hp), x, y, epochs=1, verbose=0)
    assert set(trial.params) == {"units", "batch_size"}
    assert history.params["steps"] == 64 // trial.params["batch_size"]


def test_default_fit_calls_model_fit():
    x, y = data()

    class Plain(Regressor):
        fit = kt.HyperModel.fit

    hp = kt.HyperParameters()
    model = Plain().build(hp)
    history = Plain().fit(hp, model, x, y, batch_size=8, epochs=2, verbose=0)
    assert history.params == {"verbose": 0, "epochs": 2, "steps": 8}
    assert len(history.history["loss"]) == 2


def test_build_must_be_overridden():
    with pytest.raises(NotImplementedError, match=r"HyperModel must override build\(self, hp\)"):
        kt.HyperModel().build(kt.HyperParameters())


def test_declare_hyperparameters_is_a_no_op_and_attributes_are_kept():
    hypermodel = kt.HyperModel(name="mine", tunable=False)
    hp = kt.HyperParameters()
    assert hypermodel.declare_hyperparameters(hp) is None and hp.space == []
    assert (hypermodel.name, hypermodel.tunable) == ("mine", False)


def test_untunable_hypermodel_keeps_new_hyperparameters_out_of_the_space():
    class Fixed(kt.HyperModel):
        def build(self, hp):
            return hp.Int("units", 1, 9), hp.Int("known", 1, 9)

    study = optuna.create_study()
    trial = study.ask()
    hp = kt.HyperParameters.from_trial(trial)
    hp.Int("known", 1, 9)
    assert Fixed(tunable=False).build(hp) == (1, hp.values["known"])
    assert "units" not in trial.params and [p.name for p in hp.space] == ["known"]
    assert Fixed().build(hp)[0] == trial.params["units"]


def test_get_hypermodel_wraps_callables():
    model = get_hypermodel(lambda hp: hp.Int("n", 2, 5))
    assert isinstance(model, kt.HyperModel)
    assert model.build(kt.HyperParameters.from_values({"n": 4})) == 4
    same = Regressor()
    assert get_hypermodel(same) is same and get_hypermodel(None) is None
    with pytest.raises(ValueError, match="received 3"):
        get_hypermodel(3)


def test_docstring_examples_run():
    outcome = doctest.testmod(hypermodel_module)
    assert outcome.attempted > 0 and outcome.failed == 0
