"""Every tuner end to end, seeds, results, and the scores the kept weights get back."""

import numpy as np
import optuna
import pytest
from tuning.tuner_helpers import build_model, classification_data, memory, sampled, split

import strata as keras
import strata.tuning as kt

TUNERS = [
    (kt.RandomSearch, {"max_trials": 3}),
    (kt.TPESearch, {"max_trials": 3}),
    (kt.BayesianOptimization, {"max_trials": 3, "num_initial_points": 2}),
    (kt.GridSearch, {"max_trials": 3}),
    (kt.Hyperband, {"max_epochs": 2, "factor": 2, "max_trials": 3}),
]


def grid_build(hp):
    from tuning.tuner_helpers import small_model

    return small_model(hp.Choice("units", [4, 8]), hp.Choice("lr", [0.01, 0.05]))


@pytest.mark.parametrize(("cls", "kwargs"), TUNERS, ids=[c.__name__ for c, _ in TUNERS])
def test_each_tuner_runs_end_to_end_and_the_seed_fixes_the_sequence(tmp_path, cls, kwargs):
    x, y = classification_data()
    build = grid_build if cls is kt.GridSearch else build_model
    runs = []
    for name in ("a", "b"):
        tuner = cls(
            build,
            objective="val_loss",
            seed=7,
            directory=tmp_path,
            project_name=name,
            storage=memory(),
            verbose=0,
            **kwargs,
        )
        tuner.search(x, y, epochs=2, validation_split=0.25)
        states = {t.state for t in tuner.study.trials}
        assert len(tuner.study.trials) == 3
        assert states <= {optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED}
        runs.append(sampled(tuner))
    assert runs[0] == runs[1]
    assert len({tuple(sorted(p.items())) for p in runs[0]}) > 1


def test_grid_search_runs_every_point_once(tmp_path):
    x, y = classification_data()
    tuner = kt.GridSearch(
        grid_build, objective="val_loss", storage=memory(), directory=tmp_path, verbose=0
    )
    tuner.search(x, y, epochs=1, validation_split=0.25)
    points = sorted((p["units"], p["lr"]) for p in sampled(tuner))
    assert points == [(4, 0.01), (4, 0.05), (8, 0.01), (8, 0.05)]


def test_different_seeds_give_different_sequences(tmp_path):
    x, y = classification_data()
    seqs = []
    for seed in (1, 2):
        tuner = kt.RandomSearch(
            build_model,
            objective="val_loss",
            max_trials=2,
            seed=seed,
            storage=memory(),
            directory=tmp_path,
            project_name=f"s{seed}",
            verbose=0,
        )
        tuner.search(x, y, epochs=1, validation_split=0.25)
        seqs.append(sampled(tuner))
    assert seqs[0] != seqs[1]


def test_kerastuner_style_script(tmp_path, capsys):
    # Written as a KerasTuner user would, with only the imports changed.
    x_train, y_train = classification_data()

    def build_model(hp):
        model = keras.Sequential()
        model.add(keras.layers.Input(shape=(4,)))
        model.add(
            keras.layers.Dense(
                units=hp.Int("units", min_value=4, max_value=16, step=4),
                activation=hp.Choice("activation", ["relu", "tanh"]),
            )
        )
        model.add(keras.layers.Dense(2, activation="softmax"))
        learning_rate = hp.Float("lr", min_value=1e-3, max_value=1e-1, sampling="log")
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        return model

    tuner = kt.RandomSearch(
        build_model, objective="val_accuracy", max_trials=3, directory=tmp_path, project_name="p"
    )
    tuner.search_space_summary()
    tuner.search(x_train, y_train, epochs=2, validation_split=0.2)
    best_model = tuner.get_best_models(num_models=1)[0]
    predictions = best_model.predict(x_train[:5], verbose=0)
    assert predictions.shape == (5, 2)
    best_hps = tuner.get_best_hyperparameters(1)[0]
    assert set(best_hps.values) == {"units", "activation", "lr"}
    tuner.results_summary()
    out = capsys.readouterr().out
    lines = out.splitlines()
    start = lines.index("Results summary")
    assert lines[start + 1] == f"Results in {tuner.project_dir}"
    assert lines[start + 2] == "Showing 10 best trials"
    assert lines[start + 3] == 'Objective(name="val_accuracy", direction="max")'
    best = tuner.oracle.get_best_trials(1)[0]
    assert lines[start + 5] == f"Trial {best.trial_id} summary"
    assert lines[start + 6] == "Hyperparameters:"
    assert f"Score: {best.score}" in lines
    # One progress line per trial, naming the count and the best so far.
    assert sum(line.startswith("Trial ") and "/3 complete" in line for line in lines) == 3


def test_best_model_gets_back_its_recorded_score(tmp_path):
    x, y = classification_data()
    (xt, yt), (xv, yv) = split(x, y)
    tuner = kt.RandomSearch(
        build_model,
        objective="val_loss",
        max_trials=3,
        seed=3,
        storage=memory(),
        directory=tmp_path,
        verbose=0,
    )
    tuner.search(xt, yt, epochs=3, validation_data=(xv, yv))
    for rank, (record, model) in enumerate(
        zip(tuner.oracle.get_best_trials(3), tuner.get_best_models(3))
    ):
        loss = model.evaluate(xv, yv, verbose=0, return_dict=True)["loss"]
        assert loss == pytest.approx(record.score, abs=1e-6), rank
        assert record.metrics["val_loss"] == pytest.approx(record.score)
        assert record.epochs == 3 and record.status == "COMPLETED"
    scores = [r.score for r in tuner.oracle.get_best_trials(3)]
    assert scores == sorted(scores)


def test_restored_best_weights_set_the_score(tmp_path):
    x, y = classification_data()
    (xt, yt), (xv, yv) = split(x, y)

    # A learning rate this large makes val_loss bounce, so the best epoch is not the last.
    def build(hp):
        from tuning.tuner_helpers import small_model

        return small_model(hp.Choice("units", [8]), hp.Choice("lr", [0.8]))

    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)
    tuner = kt.RandomSearch(
        build,
        objective="val_loss",
        max_trials=1,
        seed=0,
        storage=memory(),
        directory=tmp_path,
        verbose=0,
    )
    tuner.search(xt, yt, epochs=8, validation_data=(xv, yv), callbacks=[stop])
    record = tuner.oracle.get_best_trials(1)[0]
    model = tuner.get_best_models(1)[0]
    loss = model.evaluate(xv, yv, verbose=0, return_dict=True)["loss"]
    assert loss == pytest.approx(record.score, abs=1e-6)
    assert record.score == pytest.approx(stop.best)
    # The restored epoch is not the last one, so the last-epoch value would be another score.
    assert stop.best_epoch < record.epochs - 1
    assert record.metrics["val_loss"] == pytest.approx(stop.best)


def test_executions_per_trial_mean_and_saved_execution(tmp_path):
    x, y = classification_data()
    (xt, yt), (xv, yv) = split(x, y)
    tuner = kt.RandomSearch(
        build_model,
        objective="val_loss",
        max_trials=1,
        seed=5,
        executions_per_trial=3,
        storage=memory(),
        directory=tmp_path,
        verbose=0,
    )
    tuner.search(xt, yt, epochs=2, validation_data=(xv, yv))
    record = tuner.oracle.get_best_trials(1)[0]
    scores = record.execution_scores
    assert len(scores) == 3 and len(set(scores)) == 3  # fresh weights each execution
    assert record.score == pytest.approx(np.mean(scores))
    loss = tuner.get_best_models(1)[0].evaluate(xv, yv, verbose=0, return_dict=True)["loss"]
    closest = min(scores, key=lambda s: abs(s - record.score))
    assert loss == pytest.approx(closest, abs=1e-6)


def test_results_dataframe_and_list_without_pandas(tmp_path, monkeypatch):
    import builtins

    x, y = classification_data()
    tuner = kt.RandomSearch(
        build_model,
        objective="val_loss",
        max_trials=2,
        seed=0,
        storage=memory(),
        directory=tmp_path,
        verbose=0,
    )
    tuner.search(x, y, epochs=2, validation_split=0.25)
    frame = tuner.results
    pandas = pytest.importorskip("pandas")
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame["trial"]) == [0, 1]
    assert {"state", "score", "units", "lr", "activation", "epochs_run", "duration_s"} <= set(
        frame.columns
    )
    real_import = builtins.__import__

    def no_pandas(name, *args, **kwargs):
        if name == "pandas":
            raise ImportError("pandas hidden by the test")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    rows = tuner.results
    assert isinstance(rows, list) and len(rows) == 2
    assert rows[1]["score"] == pytest.approx(frame["score"][1])
    assert rows[0]["epochs_run"] == 2


def test_best_model_missing_weights_names_the_file(tmp_path):
    import os

    x, y = classification_data()
    tuner = kt.RandomSearch(
        build_model,
        objective="val_loss",
        max_trials=1,
        seed=0,
        storage=memory(),
        directory=tmp_path,
        verbose=0,
    )
    tuner.search(x, y, epochs=1, validation_split=0.25)
    path = os.path.join(tuner.get_trial_dir(0), "checkpoint.weights.h5")
    os.remove(path)
    with pytest.raises(FileNotFoundError, match="checkpoint.weights.h5"):
        tuner.get_best_models(1)


def test_trial_folders_and_study_file(tmp_path):
    import json
    import os

    x, y = classification_data()
    tuner = kt.RandomSearch(
        build_model,
        objective="val_loss",
        max_trials=2,
        seed=0,
        directory=tmp_path,
        project_name="proj",
        verbose=0,
    )
    tuner.search(x, y, epochs=1, validation_split=0.25)
    folder = tmp_path / "proj"
    assert (folder / "study.db").exists()
    for number in (0, 1):
        trial_dir = folder / f"trial_{number:04d}"
        assert (trial_dir / "checkpoint.weights.h5").exists()
        values = json.loads((trial_dir / "hyperparameters.json").read_text())["values"]
        assert values == tuner.study.trials[number].user_attrs["hyperparameters"]
    assert os.path.samefile(tuner.project_dir, folder)
    assert tuner.oracle.get_trial("1").number == 1
