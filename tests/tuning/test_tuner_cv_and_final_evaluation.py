"""The validation-overfitting guard: search(cv=K), the refitted winner, final_evaluation and
its warnings (seed 000 §7.3.2)."""

import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
from tuning.tuner_helpers import build_model, classification_data, memory, small_model

import strata.tuning as kt
from strata.evaluation import cross_validate
from strata.tuning.guard import TestSetReuseWarning


def _data():
    x, y = classification_data(rows=120)
    x_test, y_test = classification_data(rows=60, seed=1)
    return x, y, x_test, y_test


def _tuner(directory, max_trials, seed=0, project_name="p"):
    """A RandomSearch on val_accuracy whose study and trial folders live in `directory`."""
    return kt.RandomSearch(
        build_model,
        objective="val_accuracy",
        max_trials=max_trials,
        seed=seed,
        directory=directory,
        project_name=project_name,
        verbose=0,
    )


def _reuse_warnings(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    return result, [str(w.message) for w in caught if issubclass(w.category, TestSetReuseWarning)]


@pytest.fixture(scope="module")
def cv_tuner(tmp_path_factory):
    x, y, _, _ = _data()
    tuner = _tuner(tmp_path_factory.mktemp("cv"), max_trials=3, seed=3)
    tuner.search(x, y, epochs=4, cv=3)
    return tuner


def test_cv_score_is_the_mean_of_held_out_fold_scores(cv_tuner):
    trials = [t for t in cv_tuner.oracle.trials.values() if t.status == "COMPLETED"]
    assert len(trials) == 3
    for trial in trials:
        assert len(trial.fold_scores) == 3
        assert trial.score == pytest.approx(np.mean(trial.fold_scores))
    table = cv_tuner.results
    assert {"fold_0_score", "fold_1_score", "fold_2_score"} <= set(table.columns)


def test_cv_folds_and_best_epoch_reproduce_an_independent_cross_validation(cv_tuner):
    """The same folds and initializations as cross_validate with the study's seed; the epoch
    count comes from the INNER validation curves, not from the held-out scores it ranks by."""
    x, y, _, _ = _data()
    best = cv_tuner.oracle.get_best_trials(1)[0]
    values = best.hyperparameters.values
    seed = cv_tuner.study.user_attrs["cv_seed"]
    assert seed == 3  # the tuner's seed: every trial and every worker share these folds

    def build():
        return small_model(values["units"], values["lr"], values["activation"])

    again = cross_validate(build, x, y, cv=3, seed=seed, epochs=4, validation="inner", verbose=0)
    assert best.fold_scores == pytest.approx([s["accuracy"] for s in again.scores], abs=1e-6)
    inner = again.curves["accuracy"]  # fold-averaged inner-split val_accuracy per epoch
    assert best.metrics["best_epoch"] == int(np.nanargmax(inner)) + 1
    held_out = [h["val_accuracy"] for h in again.histories]  # what callbacks saw: inner rows
    assert all(len(curve) == 4 for curve in held_out)


def test_cv_winner_is_refitted_for_its_best_epoch_and_saved(cv_tuner):
    first = cv_tuner.get_best_models(1)[0]
    best = cv_tuner.oracle.get_best_trials(1)[0]
    folder = cv_tuner.get_trial_dir(best.number)
    with open(os.path.join(folder, "trial.json")) as handle:
        record = json.load(handle)
    assert record["refit"] == {"epochs": best.metrics["best_epoch"], "rows": 120}
    second = cv_tuner.get_best_models(1)[0]  # loaded from the saved refit, not trained again
    x, _, _, _ = _data()
    np.testing.assert_allclose(first.predict(x, verbose=0), second.predict(x, verbose=0))


def test_cv_winner_needs_the_search_data_in_a_new_tuner(cv_tuner):
    again = _tuner(cv_tuner.directory, max_trials=3, seed=None)
    unrefitted = [
        t
        for t in again.oracle.get_best_trials(3)
        if not os.path.exists(os.path.join(again.get_trial_dir(t.number), "trial.json"))
    ]
    assert unrefitted, "one of the top 3 trials has not been refitted yet"
    with pytest.raises(FileNotFoundError, match="search"):
        again.load_model(unrefitted[0])


def test_cv_refuses_a_fixed_validation_set_and_bad_k():
    x, y, _, _ = _data()
    tuner = kt.RandomSearch(
        build_model, objective="val_accuracy", max_trials=1, storage=memory(), verbose=0
    )
    with pytest.raises(ValueError, match="validation_data"):
        tuner.search(x, y, epochs=1, cv=3, validation_data=(x, y))
    for bad in (1, 0, 2.5, True):
        with pytest.raises(ValueError, match="cv must be"):
            tuner.search(x, y, epochs=1, cv=bad)


def test_cv_pruning_stops_every_fold_of_a_poor_trial(tmp_path):
    x, y, _, _ = _data()

    def build(hp):
        # Trials 2+ learn nothing (learning rate 0): the median pruner stops them.
        rate = hp.Choice("lr", [0.05, 0.0])
        return small_model(8, rate)

    tuner = kt.GridSearch(
        build,
        objective="val_accuracy",
        max_trials=2,
        pruner=kt_median_pruner(),
        storage=memory(),
        verbose=0,
    )
    tuner.search(x, y, epochs=6, cv=3)
    states = {t.hyperparameters.values["lr"]: t for t in tuner.oracle.trials.values()}
    assert states[0.05].status == "COMPLETED" and len(states[0.05].fold_scores) == 3
    # A pruned trial ran part of its first fold only: no fold scores, fewer epochs.
    assert states[0.0].status == "STOPPED"
    assert states[0.0].fold_scores is None and states[0.0].epochs < 6


def kt_median_pruner():
    import optuna

    # One finished trial is enough history here; never prune before the second epoch.
    return optuna.pruners.MedianPruner(n_startup_trials=1, n_warmup_steps=2)


def test_final_evaluation_reports_optimism_and_rank_correlation(tmp_path):
    x, y, x_test, y_test = _data()
    tuner = _tuner(tmp_path, max_trials=4)
    tuner.search(x, y, epochs=3, validation_split=0.25)
    report, warned = _reuse_warnings(lambda: tuner.final_evaluation(x_test, y_test, verbose=0))
    assert warned == []
    best = tuner.oracle.get_best_trials(1)[0]
    assert report["trial"] == best.number and report["validation"] == best.score
    test_accuracy = tuner.get_best_models(1)[0].evaluate(x_test, y_test, verbose=0)[1]
    assert report["test"]["accuracy"] == pytest.approx(test_accuracy, abs=1e-6)
    assert report["optimism"] == pytest.approx(best.score - test_accuracy, abs=1e-6)
    assert [row["trial"] for row in report["trials"]] == [
        t.number for t in tuner.oracle.get_best_trials(5)
    ]
    correlation = report["rank_correlation"]
    assert correlation["n"] == len(report["trials"])
    assert np.isnan(correlation["rho"]) or -1.0 <= correlation["rho"] <= 1.0


def test_a_second_look_at_the_test_set_warns_even_from_another_process(tmp_path):
    x, y, x_test, y_test = _data()
    tuner = _tuner(tmp_path, max_trials=1)
    tuner.search(x, y, epochs=1, validation_split=0.25)
    _, warned = _reuse_warnings(lambda: tuner.final_evaluation(x_test, y_test, verbose=0))
    assert warned == []
    _, warned = _reuse_warnings(lambda: tuner.final_evaluation(x_test, y_test, verbose=0))
    assert any("Second look" in message for message in warned)
    np.savez(tmp_path / "test.npz", x=x_test, y=y_test)
    script = (
        "import warnings, numpy as np, strata.tuning as kt\n"
        "from tuning.tuner_helpers import build_model\n"
        f"data = np.load({str(tmp_path / 'test.npz')!r})\n"
        f"t = kt.RandomSearch(build_model, objective='val_accuracy', max_trials=1, "
        f"directory={str(tmp_path)!r}, project_name='p', verbose=0)\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    t.final_evaluation(data['x'], data['y'], verbose=0)\n"
        "print([str(m.message)[:11] for m in w])\n"
    )
    tests_dir = os.path.dirname(os.path.dirname(__file__))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([tests_dir, *sys.path]))
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    assert "Second look" in out.stdout


@pytest.mark.parametrize("how", ["validation_split", "validation_data", "cv"])
def test_passing_the_search_validation_data_as_test_data_warns(tmp_path, how):
    x, y, x_test, y_test = _data()
    tuner = _tuner(tmp_path, max_trials=1, project_name=how)
    if how == "validation_split":
        tuner.search(x, y, epochs=1, validation_split=0.25)
        leaked = (x[90:], y[90:])  # Keras's split: the last quarter of the rows
    elif how == "validation_data":
        tuner.search(x, y, epochs=1, validation_data=(x_test, y_test))
        leaked = (x_test, y_test)
    else:
        tuner.search(x, y, epochs=1, cv=2)
        leaked = (x, y)
    _, warned = _reuse_warnings(lambda: tuner.final_evaluation(*leaked, verbose=0))
    assert any("validation data" in message for message in warned), warned
