"""Whole tuners as worker processes: searches killed with SIGKILL and resumed, and several
workers on one PostgreSQL study, counted trial by trial (issue 13's "how it is judged").

Workers are real processes running tests/tuning/tuner_worker.py; the study is read back from
the real SQLite file or PostgreSQL server and compared with the marker files each build wrote.
"""

import multiprocessing
import os
import signal
import sys
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState
from tuning.worker_processes import finish, wait_for

from strata.tuning._storage import sqlalchemy_url
from strata.tuning._worker import OWNER_ATTR

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX processes and signals")


def _start(config):
    context = multiprocessing.get_context("forkserver")
    # The fork server imports strata once; every worker is a fork of it.
    context.set_forkserver_preload(["strata.tuning", "tuning.tuner_worker"])
    import tuning.tuner_worker

    process = context.Process(target=tuning.tuner_worker.run_search, args=(config,), daemon=True)
    process.start()
    return process


def _builds(folder):
    """{trial number: [pid of each process that built (trained) it]}."""
    built = {}
    for path in Path(folder).iterdir():
        number, pid = map(int, path.name.split("-"))
        built.setdefault(number, []).append(pid)
    return built


def test_a_search_killed_with_sigkill_resumes_where_it_stopped(tmp_path):
    markers = tmp_path / "markers"
    markers.mkdir()
    config = {"directory": str(tmp_path), "markers": str(markers), "max_trials": 5, "seed": 0}
    victim = _start({**config, "sleep": 0.5})
    wait_for(lambda: 2 in _builds(markers), "trial 2 to start")
    os.kill(victim.pid, signal.SIGKILL)
    victim.join()
    storage = "sqlite:///" + str(tmp_path / "search" / "study.db")
    killed = optuna.load_study(study_name="search", storage=storage).trials
    assert [t.state for t in killed[:3]] == [TrialState.COMPLETE] * 2 + [TrialState.RUNNING]

    finish([_start(config)], timeout=120)  # the same script, run again (overwrite=False)
    trials = optuna.load_study(study_name="search", storage=storage).trials
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    assert len(complete) == 5
    # The killed trial failed at once (its process is dead) and its retry ran first, with the
    # same hyperparameters; the finished trials were not trained again.
    assert trials[2].state == TrialState.FAIL and "error" not in trials[2].user_attrs
    assert trials[3].params == trials[2].params and trials[3].state == TrialState.COMPLETE
    built = _builds(markers)
    assert {n: len(pids) for n, pids in built.items()} == {t.number: 1 for t in trials}
    assert built[0] == built[1] == built[2] == [victim.pid]
    assert len({tuple(sorted(t.params.items())) for t in complete}) == 5


@pytest.mark.parametrize("workers", [2, 4])
def test_workers_share_one_postgres_study(workers, postgres_url, postgres_study, tmp_path):
    markers = tmp_path / "markers"
    markers.mkdir()
    max_trials = 3 * workers
    config = {
        "directory": str(tmp_path),
        "markers": str(markers),
        "max_trials": max_trials,
        "seed": 0,
        "storage": postgres_url,
        "study": postgres_study,
        "sleep": 0.05,
    }
    finish([_start(config) for _ in range(workers)], timeout=120)
    study = optuna.load_study(study_name=postgres_study, storage=sqlalchemy_url(postgres_url))
    trials = study.trials
    assert [t.state for t in trials] == [TrialState.COMPLETE] * max_trials
    built = _builds(markers)
    # Trial by trial: each number trained once, by the process the study records as its owner.
    assert sorted(built) == list(range(max_trials))
    for trial in trials:
        assert built[trial.number] == [trial.user_attrs[OWNER_ATTR]["pid"]]
    assert len({pid for pids in built.values() for pid in pids}) >= 2
    # The same seed in every worker, yet no two trials drew the same hyperparameters.
    assert len({tuple(sorted(t.params.items())) for t in trials}) == max_trials


def test_a_killed_postgres_worker_trial_is_retried_by_a_survivor(
    postgres_url, postgres_study, tmp_path
):
    markers = tmp_path / "markers"
    markers.mkdir()
    config = {
        "directory": str(tmp_path),
        "markers": str(markers),
        "max_trials": 6,
        "storage": postgres_url,
        "study": postgres_study,
        "heartbeat_interval": 1,
        "grace_period": 3,
    }
    victim = _start({**config, "sleep": 5.0})
    wait_for(lambda: len(_builds(markers)) == 1, "the victim's first trial")
    survivor = _start({**config, "sleep": 0.05})
    wait_for(lambda: len(_builds(markers)) >= 3, "the survivor's trials")
    os.kill(victim.pid, signal.SIGKILL)
    victim.join()
    finish([survivor], timeout=120)
    study = optuna.load_study(study_name=postgres_study, storage=sqlalchemy_url(postgres_url))
    trials = study.trials
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    assert len(complete) == 6
    (dead,) = [t for t in trials if t.state == TrialState.FAIL]
    assert dead.user_attrs[OWNER_ATTR]["pid"] == victim.pid
    retries = [t for t in complete if t.system_attrs.get("failed_trial") == dead.number]
    assert len(retries) == 1 and retries[0].params == dead.params
    assert retries[0].user_attrs[OWNER_ATTR]["pid"] == survivor.pid
