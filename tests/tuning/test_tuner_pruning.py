"""Pruning stops clearly worse trials early, and the epochs run are recorded."""

import optuna
import pytest
from tuning.tuner_helpers import classification_data, memory, small_model

import strata.tuning as kt


def build(hp):
    # A learning rate of 1e-6 barely moves the loss: clearly worse than 0.05 after 2 epochs.
    return small_model(8, hp.Choice("lr", [0.05, 1e-6]))


def _epochs(tuner, state):
    return [t.user_attrs["epochs"] for t in tuner.study.trials if t.state == state]


@pytest.mark.parametrize("pruner", ["median", "hyperband"])
def test_pruner_stops_a_worse_trial_early(tmp_path, pruner):
    x, y = classification_data()
    tuner = kt.RandomSearch(
        build,
        objective="loss",
        max_trials=8,
        seed=0,
        pruner=pruner,
        storage=memory(),
        directory=tmp_path,
        verbose=0,
    )
    tuner.search(x, y, epochs=4)
    pruned = _epochs(tuner, optuna.trial.TrialState.PRUNED)
    complete = _epochs(tuner, optuna.trial.TrialState.COMPLETE)
    assert pruned and all(epochs < 4 for epochs in pruned)
    assert complete and 4 in complete
    lrs = {t.params["lr"] for t in tuner.study.trials if t.state.name == "PRUNED"}
    assert 1e-6 in lrs  # (a good rate can be pruned too: median rules prune the worse half)
    # Pruned trials are never ranked, and show as STOPPED in KerasTuner's vocabulary.
    assert all(r.status == "COMPLETED" for r in tuner.oracle.get_best_trials(10))
    assert "STOPPED" in {r.status for r in tuner.oracle.trials.values()}
    rows = tuner.results
    assert set(rows.loc[rows["state"] == "PRUNED", "epochs_run"]) <= {1, 2, 3}


def test_hyperband_tuner_prunes_and_fits_max_epochs(tmp_path, capsys):
    x, y = classification_data()
    tuner = kt.Hyperband(
        build,
        objective="loss",
        max_epochs=4,
        factor=2,
        max_trials=8,
        seed=0,
        storage=memory(),
        directory=tmp_path,
        verbose=1,
    )
    tuner.search(x, y, epochs=1)  # Hyperband fits max_epochs whatever `epochs` says
    assert max(_epochs(tuner, optuna.trial.TrialState.COMPLETE)) == 4
    pruned = _epochs(tuner, optuna.trial.TrialState.PRUNED)
    assert pruned
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 8 and lines[0].startswith("Trial 1/8 ")
    assert sum(f"pruned at epoch {pruned[0]}:" in line for line in lines) >= 1


def test_hyperband_default_budget_follows_kerastuner():
    # max_epochs=100, factor=3: brackets of 6, 9, 18, 41 and 98 new configurations.
    assert kt.tuners.hyperband_trials(100, 3, 1) == 172
    assert kt.tuners.hyperband_trials(100, 3, 2) == 344
    tuner = kt.Hyperband(build, objective="loss", max_epochs=9, storage=memory(), verbose=0)
    assert tuner.max_trials == kt.tuners.hyperband_trials(9, 3, 1)


def test_missing_objective_lists_the_logged_keys(tmp_path):
    x, y = classification_data()
    tuner = kt.RandomSearch(
        build,
        objective="val_loss",
        max_trials=2,
        pruner="median",
        storage=memory(),
        directory=tmp_path,
        verbose=0,
    )
    with pytest.raises(ValueError, match=r"'val_loss'.*\['accuracy', 'loss'\]"):
        tuner.search(x, y, epochs=1)
    assert tuner.study.trials[0].state == optuna.trial.TrialState.FAIL


def test_bad_pruner_is_refused():
    with pytest.raises(ValueError, match="pruner"):
        kt.RandomSearch(build, objective="loss", pruner="sometimes", storage=memory())
