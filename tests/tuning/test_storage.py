"""open_study and StudyWorker within one process, on real SQLite files and PostgreSQL."""

import time

import optuna
import pytest
from optuna.trial import TrialState

from strata.tuning._storage import default_storage_url, mark_error, open_study
from strata.tuning._worker import OWNER_ATTR, StudyWorker, budget_used


@pytest.fixture
def url(tmp_path):
    return default_storage_url(tmp_path / "project")


def test_reopening_continues_and_overwrite_starts_again(url):
    study = open_study(storage=url, study_name="s", direction="maximize")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert len(open_study(storage=url, study_name="s", direction="maximize").trials) == 2
    fresh = open_study(storage=url, study_name="s", direction="maximize", overwrite=True)
    assert fresh.trials == []
    # Overwriting a study that does not exist is fine.
    open_study(storage=url, study_name="new", overwrite=True)


def test_existing_study_in_the_other_direction_is_refused(url):
    open_study(storage=url, study_name="s", direction="minimize")
    with pytest.raises(ValueError, match="set to minimize; received direction='maximize'"):
        open_study(storage=url, study_name="s", direction="maximize")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"direction": "max"}, "direction 'minimize' or 'maximize'; received 'max'"),
        ({"study_name": ""}, "non-empty string study_name"),
        ({"heartbeat_interval": 0}, "positive integer heartbeat_interval; received 0"),
        ({"grace_period": 2, "heartbeat_interval": 5}, "grace_period to be longer"),
        ({"max_retry": -1}, "max_retry to be None or an integer >= 0; received -1"),
        ({"storage": 3}, "URL string, an Optuna storage or None; received int"),
    ],
)
def test_bad_arguments(url, kwargs, message):
    with pytest.raises(ValueError, match=message):
        open_study(**{"storage": url, "study_name": "s", **kwargs})


def test_bad_worker_arguments(url):
    study = open_study(storage=url, study_name="s")
    with pytest.raises(ValueError, match="max_trials >= 1; received 0"):
        StudyWorker(study, 0)
    with pytest.raises(ValueError, match="COMPLETE, PRUNED or FAIL; received RUNNING"):
        worker = StudyWorker(study, 1)
        worker.tell(worker.next_trial(), TrialState.RUNNING)


def test_errors_use_budget_and_interruptions_are_retried(url):
    study = open_study(storage=url, study_name="s", heartbeat_interval=1, grace_period=3)
    worker = StudyWorker(study, 3)
    trial = worker.next_trial()
    with pytest.raises(KeyboardInterrupt), worker.running(trial):
        x = trial.suggest_float("x", 0, 1)
        raise KeyboardInterrupt
    retry = worker.next_trial()
    assert study.trials[retry.number].system_attrs["failed_trial"] == trial.number
    assert retry.suggest_float("x", 0, 1) == x
    mark_error(retry, "ValueError: boom")
    worker.tell(retry, TrialState.FAIL)
    # The interrupted trial does not count, the failed retry does.
    assert budget_used(study.get_trials()) == 1
    while (trial := worker.next_trial()) is not None:
        worker.tell(trial, "COMPLETE", 1.0)
    states = [t.state for t in study.get_trials()]
    assert states == [TrialState.FAIL] * 2 + [TrialState.COMPLETE] * 2


def test_trial_asked_but_never_claimed_is_retried(url):
    # A worker killed between Optuna's ask and recording its ownership leaves such a trial.
    study = open_study(storage=url, study_name="s", heartbeat_interval=1, grace_period=3)
    with pytest.warns(UserWarning, match="Heartbeat"):  # Optuna: heartbeats go with optimize
        orphan = study.ask({"x": optuna.distributions.FloatDistribution(0, 1)})
    worker = StudyWorker(study, 1)
    trial = worker.next_trial()
    assert study.trials[trial.number].system_attrs["failed_trial"] == orphan.number
    assert trial.params == orphan.params
    assert trial.user_attrs[OWNER_ATTR]["trial"] == trial.number
    worker.tell(trial, "COMPLETE", 0.0)
    assert worker.next_trial() is None


def test_heartbeats_are_recorded_while_running(postgres_url, postgres_study):
    settings = {"storage": postgres_url, "study_name": postgres_study}
    study = open_study(**settings, heartbeat_interval=1, grace_period=2)
    worker = StudyWorker(study, 2)
    beating, silent = worker.next_trial(), worker.next_trial()
    with worker.running(beating):
        time.sleep(4)  # two grace periods without a result
        # What any other worker does first: fail the trials without a recent heartbeat.
        with pytest.warns(optuna.exceptions.ExperimentalWarning):
            optuna.storages.fail_stale_trials(
                open_study(**settings, heartbeat_interval=1, grace_period=2)
            )
    states = [t.state for t in study.get_trials()]
    assert states[:2] == [TrialState.RUNNING, TrialState.FAIL]
    assert states[2] == TrialState.WAITING  # the silent trial's retry
    assert worker.tell(beating, "COMPLETE", 1.0).state == TrialState.COMPLETE
    assert worker.tell(silent, "COMPLETE", 1.0).state == TrialState.FAIL  # too late


@pytest.mark.parametrize("module", ["_storage", "_worker"])
def test_docstring_examples_run(module, tmp_path, monkeypatch):
    import doctest
    import importlib

    monkeypatch.chdir(tmp_path)
    result = doctest.testmod(importlib.import_module(f"strata.tuning.{module}"))
    assert result.attempted > 0
    assert result.failed == 0
