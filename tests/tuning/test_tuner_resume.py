"""A new tuner on the same project continues the study; overwrite=True starts over."""

import optuna
import pytest
from tuning.tuner_helpers import build_model, classification_data

import strata.tuning as kt


def _tuner(tmp_path, max_trials, overwrite=False, objective="val_loss"):
    return kt.RandomSearch(
        build_model,
        objective=objective,
        max_trials=max_trials,
        seed=11,
        directory=tmp_path,
        project_name="resume",
        overwrite=overwrite,
        verbose=0,
    )


def test_resume_runs_only_the_missing_trials_then_overwrite_starts_over(tmp_path):
    x, y = classification_data()
    first = _tuner(tmp_path, 3)
    first.search(x, y, epochs=1, validation_split=0.25)
    done = [t.params for t in first.study.trials]
    assert len(done) == 3

    second = _tuner(tmp_path, 5)
    assert second.remaining_trials == 2
    second.search(x, y, epochs=1, validation_split=0.25)
    trials = second.study.trials
    assert len(trials) == 5
    assert [t.params for t in trials[:3]] == done  # not rerun
    # The seed moves on: the new trials are not a replay of the first ones.
    assert all(t.params not in done for t in trials[3:])
    assert len(second.oracle.get_best_trials(10)) == 5

    third = _tuner(tmp_path, 5)
    third.search(x, y, epochs=1, validation_split=0.25)  # already complete: nothing runs
    assert len(third.study.trials) == 5

    fresh = _tuner(tmp_path, 2, overwrite=True)
    assert len(fresh.study.trials) == 0
    assert not (tmp_path / "resume" / "trial_0004").exists()
    fresh.search(x, y, epochs=1, validation_split=0.25)
    assert [t.number for t in fresh.study.trials] == [0, 1]
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in fresh.study.trials)


def test_resume_with_the_opposite_direction_is_refused(tmp_path):
    x, y = classification_data()
    _tuner(tmp_path, 1).search(x, y, epochs=1, validation_split=0.25)
    with pytest.raises(ValueError, match="direction"):
        _tuner(tmp_path, 2, objective="val_accuracy")


def test_storage_url_and_study_name_are_shared_between_projects(tmp_path):
    # Two tuners in different folders pointing at one storage and study continue one search.
    x, y = classification_data()
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    common = dict(objective="val_loss", storage=url, study_name="shared", seed=3, verbose=0)
    kt.RandomSearch(
        build_model, max_trials=1, directory=tmp_path, project_name="one", **common
    ).search(x, y, epochs=1, validation_split=0.25)
    other = kt.RandomSearch(
        build_model, max_trials=2, directory=tmp_path, project_name="two", **common
    )
    assert other.remaining_trials == 1
    other.search(x, y, epochs=1, validation_split=0.25)
    assert [t.number for t in other.study.trials] == [0, 1]
    assert not (tmp_path / "one" / "study.db").exists()
    assert (tmp_path / "one" / "trial_0000").is_dir() and (tmp_path / "two" / "trial_0001").is_dir()
    # Trial 0's weights live in the other project's folder: the error names the file.
    with pytest.raises(FileNotFoundError, match="trial_0000"):
        other.load_model(0)
