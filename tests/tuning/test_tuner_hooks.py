"""The ways in: Optuna-style build(trial), HyperModel.fit, run_trial overrides; and failures."""

import numpy as np
import optuna
import pytest
from tuning.tuner_helpers import build_model, classification_data, memory, small_model

import strata.tuning as kt


def _run(tuner, epochs=1):
    x, y = classification_data()
    tuner.search(x, y, epochs=epochs, validation_split=0.25)
    return tuner


def test_native_build_receives_the_optuna_trial(tmp_path):
    seen = []

    def build(trial):
        seen.append(type(trial))
        return small_model(trial.suggest_int("units", 4, 8), trial.suggest_float("lr", 1e-3, 0.1))

    tuner = _run(
        kt.TPESearch(
            build,
            objective="val_loss",
            max_trials=2,
            seed=0,
            storage=memory(),
            directory=tmp_path,
            verbose=0,
        )
    )
    assert seen == [optuna.trial.Trial, optuna.trial.Trial]
    best = tuner.get_best_hyperparameters(1)[0]
    assert set(best.values) == {"units", "lr"}
    model = tuner.get_best_models(1)[0]  # rebuilt through optuna's FixedTrial
    assert seen[-1] is optuna.trial.FixedTrial
    assert model.predict(classification_data()[0][:3], verbose=0).shape == (3, 2)


def test_native_build_detected_by_annotation(tmp_path):
    def build(t: optuna.trial.Trial):
        return small_model(t.suggest_categorical("units", [4, 6]), 0.01)

    tuner = _run(
        kt.RandomSearch(
            build,
            objective="val_loss",
            max_trials=2,
            seed=0,
            storage=memory(),
            directory=tmp_path,
            verbose=0,
        )
    )
    assert all(set(t.params) == {"units"} for t in tuner.study.trials)


class BatchSizeHyperModel(kt.HyperModel):
    def build(self, hp):
        return small_model(hp.Int("units", 4, 8), 0.01)

    def fit(self, hp, model, *args, **kwargs):
        self.batch_sizes.append(hp.Choice("batch_size", [8, 16]))
        return model.fit(*args, batch_size=self.batch_sizes[-1], **kwargs)


def test_hypermodel_fit_tunes_batch_size(tmp_path):
    hypermodel = BatchSizeHyperModel()
    hypermodel.batch_sizes = []
    tuner = _run(
        kt.RandomSearch(
            hypermodel,
            objective="val_loss",
            max_trials=4,
            seed=2,
            storage=memory(),
            directory=tmp_path,
            verbose=0,
        )
    )
    recorded = [t.params["batch_size"] for t in tuner.study.trials]
    assert recorded == hypermodel.batch_sizes
    assert set(recorded) == {8, 16}
    assert "batch_size" in tuner.get_best_hyperparameters(1)[0].values


class ScoreTuner(kt.Tuner):
    """KerasTuner's custom-objective style: run_trial returns a number."""

    def on_search_begin(self):
        self.events = ["search_begin"]

    def on_trial_begin(self, trial):
        self.events.append(("begin", trial.trial_id, trial.status))

    def on_trial_end(self, trial):
        self.events.append(("end", trial.trial_id, trial.status))

    def on_search_end(self):
        self.events.append("search_end")

    def run_trial(self, trial, *args, **kwargs):
        hp = trial.hyperparameters
        value = hp.Float("x", -2.0, 2.0)
        return (value - 1.0) ** 2


def test_run_trial_override_returning_a_number(tmp_path):
    tuner = ScoreTuner(
        objective=kt.Objective("score", "min"),
        max_trials=6,
        seed=0,
        storage=memory(),
        directory=tmp_path,
        verbose=0,
    )
    tuner.search()
    best = tuner.oracle.get_best_trials(1)[0]
    xs = [t.params["x"] for t in tuner.study.trials]
    assert best.score == pytest.approx(min((x - 1.0) ** 2 for x in xs))
    assert best.hyperparameters.values["x"] == pytest.approx(min(xs, key=lambda x: (x - 1.0) ** 2))


class HistoryTuner(kt.Tuner):
    def run_trial(self, trial, x, y, **kwargs):
        model = small_model(trial.hyperparameters.Choice("units", [4, 8]), 0.01)
        if trial.number == 0:
            # KerasTuner's usual override: the hypermodel's fit on the built model.
            model = self.hypermodel.build(trial.hyperparameters)
            return self.hypermodel.fit(trial.hyperparameters, model, x, y, **kwargs)
        model.fit(x, y, **kwargs)
        return model.evaluate(x, y, verbose=0, return_dict=True) | {"val_loss": 0.5}


def test_run_trial_override_returning_history_or_dict(tmp_path):
    def build(hp):
        return small_model(hp.Choice("units", [4, 8]), 0.01)

    tuner = HistoryTuner(
        build,
        objective="val_loss",
        max_trials=2,
        seed=0,
        storage=memory(),
        directory=tmp_path,
        verbose=0,
    )
    x, y = classification_data()
    tuner.search(x, y, epochs=2, validation_split=0.25)
    first, second = tuner.study.trials
    assert first.user_attrs["epochs"] == 2 and "val_accuracy" in first.user_attrs["metrics"]
    assert second.value == 0.5 and "accuracy" in second.user_attrs["metrics"]
    with pytest.raises(FileNotFoundError, match="run_trial"):
        tuner.get_best_models(1)  # a custom run_trial keeps no model


def test_failed_trials_are_recorded_and_never_ranked(tmp_path, capsys):
    def build(hp):
        units = hp.Choice("units", [4, 0])
        if units == 0:
            raise RuntimeError("no units")
        return small_model(units, 0.01)

    tuner = kt.RandomSearch(
        build,
        objective="val_loss",
        max_trials=6,
        seed=1,
        max_consecutive_failed_trials=6,
        storage=memory(),
        directory=tmp_path,
    )
    _run(tuner)
    failed = [t for t in tuner.study.trials if t.state == optuna.trial.TrialState.FAIL]
    assert failed and all("no units" in t.user_attrs["error"] for t in failed)
    assert all(r.hyperparameters.values["units"] == 4 for r in tuner.oracle.get_best_trials(6))
    assert "failed (RuntimeError: no units)" in capsys.readouterr().out
    assert {r.status for r in tuner.oracle.trials.values()} == {"COMPLETED", "FAILED"}


def test_consecutive_failures_raise_with_the_last_error(tmp_path):
    def build(hp):
        hp.Int("units", 1, 4)
        raise ArithmeticError("broken build")

    tuner = kt.RandomSearch(
        build,
        objective="val_loss",
        max_trials=10,
        max_consecutive_failed_trials=3,
        storage=memory(),
        directory=tmp_path,
        verbose=0,
    )
    with pytest.raises(RuntimeError, match="3 consecutive") as info:
        _run(tuner)
    assert isinstance(info.value.__cause__, ArithmeticError)
    assert len(tuner.study.trials) == 3


def test_keyboard_interrupt_is_not_swallowed(tmp_path):
    calls = []

    def build(hp):
        calls.append(hp.Int("units", 1, 4))
        if len(calls) == 1:
            raise KeyboardInterrupt
        return small_model(calls[-1], 0.01)

    tuner = kt.RandomSearch(
        build, objective="val_loss", max_trials=3, storage=memory(), directory=tmp_path, verbose=0
    )
    with pytest.raises(KeyboardInterrupt):
        _run(tuner)
    interrupted, retry = tuner.study.trials
    assert interrupted.state == optuna.trial.TrialState.FAIL
    assert interrupted.user_attrs["interrupted"]
    # Queued again with the same hyperparameters, to run first when the search goes on; the
    # interrupted run itself uses no budget, its retry does.
    assert retry.state == optuna.trial.TrialState.WAITING
    assert retry.params == interrupted.params
    assert tuner.remaining_trials == 2
    _run(tuner)
    finished = [t for t in tuner.study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(finished) == 3 and finished[0].params["units"] == interrupted.params["units"]


def test_bad_arguments():
    with pytest.raises(ValueError, match="objective|direction"):
        kt.RandomSearch(build_model, objective=42, storage=memory())
    with pytest.raises(ValueError, match="hypermodel=None"):
        kt.RandomSearch(None, objective="val_loss", storage=memory())
    with pytest.raises(ValueError, match="executions_per_trial"):
        kt.RandomSearch(build_model, executions_per_trial=0, storage=memory())
    with pytest.raises(ValueError, match="max_trials"):
        kt.RandomSearch(build_model, max_trials=0, storage=memory())
    with pytest.raises(TypeError, match="no_such_option"):
        kt.RandomSearch(build_model, no_such_option=1, storage=memory())
    with pytest.raises(ValueError, match="hyperparameters="):
        kt.RandomSearch(build_model, hyperparameters=kt.HyperParameters(), storage=memory())
    with pytest.raises(ValueError, match="GridSearch"):
        kt.GridSearch(lambda trial: None, storage=memory())


def test_kerastuner_keywords_are_accepted(tmp_path):
    tuner = kt.BayesianOptimization(
        build_model,
        objective="val_loss",
        max_trials=1,
        alpha=1e-3,
        beta=3.0,
        tune_new_entries=True,
        allow_new_entries=True,
        max_retries_per_trial=2,
        tuner_id="chief",
        distribution_strategy=None,
        storage=memory(),
        directory=tmp_path,
        verbose=0,
    )
    assert (tuner.alpha, tuner.beta) == (1e-3, 3.0)
    assert tuner.objective.name == "val_loss" and tuner.project_name == "untitled_project"


def test_loss_and_metrics_keywords_recompile(tmp_path):
    # KerasTuner's Tuner(loss=, metrics=) recompiles every built model with them.
    tuner = kt.RandomSearch(
        build_model,
        objective="val_sparse_categorical_accuracy",
        max_trials=1,
        loss="sparse_categorical_crossentropy",
        metrics=["sparse_categorical_accuracy"],
        seed=0,
        storage=memory(),
        directory=tmp_path,
        verbose=0,
    )
    _run(tuner)
    metrics = tuner.study.trials[0].user_attrs["metrics"]
    assert "val_sparse_categorical_accuracy" in metrics and "val_accuracy" not in metrics
    assert np.isfinite(tuner.study.trials[0].value)
