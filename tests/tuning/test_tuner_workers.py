"""Whole tuners as worker processes: searches killed with SIGKILL and resumed, and several
workers on one PostgreSQL study, counted trial by trial (issue 13's "how it is judged").

Workers are real processes running tests/tuning/tuner_worker.py; the study is read back from
the real SQLite file or PostgreSQL server and compared with the marker files each build wrote.
"""

import multiprocessing
import os
import signal
import sys
import time
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

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


def _finish(processes, timeout=120):
    deadline = time.monotonic() + timeout
    for process in processes:
        process.join(max(0.1, deadline - time.monotonic()))
    alive = [p.pid for p in processes if p.is_alive()]
    for process in processes:
        if process.is_alive():
            process.kill()
    assert not alive, f"workers {alive} still running after {timeout} s"
    assert [p.exitcode for p in processes] == [0] * len(processes)


def _builds(folder):
    """{trial number: [pid of each process that built (trained) it]}."""
    built = {}
    for path in Path(folder).iterdir():
        number, pid = map(int, path.name.split("-"))
        built.setdefault(number, []).append(pid)
    return built


def _wait_for(condition, what, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_a_search_killed_with_sigkill_resumes_where_it_stopped(tmp_path):
    markers = tmp_path / "markers"
    markers.mkdir()
    config = {"directory": str(tmp_path), "markers": str(markers), "max_trials": 5, "seed": 0}
    victim = _start({**config, "sleep": 0.5})
    _wait_for(lambda: 2 in _builds(markers), "trial 2 to start")
    os.kill(victim.pid, signal.SIGKILL)
    victim.join()
    storage = "sqlite:///" + str(tmp_path / "search" / "study.db")
    killed = optuna.load_study(study_name="search", storage=storage).trials
    assert [t.state for t in killed[:3]] == [TrialState.COMPLETE] * 2 + [TrialState.RUNNING]

    _finish([_start(config)])  # the same script, run again (overwrite=False)
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
    _finish([_start(config) for _ in range(workers)])
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
    _wait_for(lambda: len(_builds(markers)) == 1, "the victim's first trial")
    survivor = _start({**config, "sleep": 0.05})
    _wait_for(lambda: len(_builds(markers)) >= 3, "the survivor's trials")
    os.kill(victim.pid, signal.SIGKILL)
    victim.join()
    _finish([survivor])
    study = optuna.load_study(study_name=postgres_study, storage=sqlalchemy_url(postgres_url))
    trials = study.trials
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    assert len(complete) == 6
    (dead,) = [t for t in trials if t.state == TrialState.FAIL]
    assert dead.user_attrs[OWNER_ATTR]["pid"] == victim.pid
    retries = [t for t in complete if t.system_attrs.get("failed_trial") == dead.number]
    assert len(retries) == 1 and retries[0].params == dead.params
    assert retries[0].user_attrs[OWNER_ATTR]["pid"] == survivor.pid
