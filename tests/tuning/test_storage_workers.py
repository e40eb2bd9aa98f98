"""One study, many processes: the budget, trial ownership and retries after SIGKILL.

Workers are real processes (tests/tuning/study_worker.py) on a real PostgreSQL server (see the
`postgres_url` fixture) or a real SQLite file. Every check reads the study back and compares it
with the marker files the objective wrote, trial by trial.
"""

import multiprocessing
import os
import signal
import sys
import uuid
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState
from tuning.worker_processes import finish, wait_for

from strata.tuning._storage import default_storage_url, sqlalchemy_url
from strata.tuning._worker import OWNER_ATTR, budget_used

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX processes and signals")


def _context():
    # The fork server imports strata once; each worker is then a fork of it (a fresh import per
    # worker would cost seconds).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["strata.tuning._worker", "tuning.study_worker"])
    return context


def start(config, target="run_worker"):
    import tuning.study_worker

    target = getattr(tuning.study_worker, target)
    process = _context().Process(target=target, args=(config,), daemon=True)
    process.start()
    return process


def markers(folder):
    """{trial number: [pids of the processes whose objective started it]}."""
    started = {}
    for path in Path(folder).iterdir():
        number, pid = map(int, path.name.split("-"))
        started.setdefault(number, []).append(pid)
    return started


def load(url, name):
    return optuna.load_study(study_name=name, storage=sqlalchemy_url(url))


def check_study(study, max_trials, folder):
    """The guarantees, trial by trial; returns the trials."""
    trials = study.get_trials(deepcopy=False)
    states = [t.state for t in trials]
    assert TrialState.RUNNING not in states and TrialState.WAITING not in states
    counted = [t for t in trials if t.state != TrialState.FAIL or t.user_attrs.get("error")]
    assert len(counted) == max_trials == budget_used(trials)
    assert all(t.state in (TrialState.COMPLETE, TrialState.FAIL) for t in counted)
    started = markers(folder)
    assert sorted(started) == [t.number for t in trials]
    for trial in trials:
        owner = trial.user_attrs[OWNER_ATTR]
        # Each trial number was started by exactly one process: the one recorded as its owner.
        assert started[trial.number] == [owner["pid"]], trial.number
        assert owner["trial"] == trial.number
    # New parameters for every counted trial; a retry reruns the parameters of the trial whose
    # worker died (that one failed without an error and does not count).
    xs = [t.params["x"] for t in counted]
    assert len(set(xs)) == len(xs)
    by_number = {t.number: t for t in trials}
    for trial in trials:
        original = trial.system_attrs.get("failed_trial")
        if original is not None:
            assert by_number[original].state == TrialState.FAIL
            assert "error" not in by_number[original].user_attrs
            assert by_number[original].params == trial.params
    return trials


def config(url, name, folder, max_trials, **extra):
    return {"url": url, "study": name, "markers": str(folder), "max_trials": max_trials, **extra}


@pytest.fixture
def fresh_postgres_database(postgres_url):
    """The URL of a new, empty database on the test server, dropped afterwards."""
    import psycopg2
    import sqlalchemy

    name = f"strata_fresh_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(postgres_url)
    admin.autocommit = True
    try:
        admin.cursor().execute(f"CREATE DATABASE {name}")
    except psycopg2.errors.InsufficientPrivilege as error:
        admin.close()
        pytest.skip(f"the test role may not create databases ({error}); see start_test_server.sh")
    yield sqlalchemy.engine.make_url(postgres_url).set(database=name).render_as_string(False)
    admin.cursor().execute(f"DROP DATABASE {name} WITH (FORCE)")
    admin.close()


def test_workers_create_tables_and_study_at_the_same_instant(fresh_postgres_database, tmp_path):
    # Four processes meet an empty database: all create Optuna's tables and the study at once.
    settings = config(fresh_postgres_database, "race", tmp_path, 1)
    finish([start(settings, "open_only") for _ in range(4)])
    assert [
        s.study_name
        for s in optuna.get_all_study_summaries(sqlalchemy_url(fresh_postgres_database))
    ] == ["race"]


@pytest.mark.parametrize("workers", [2, 3, 4])
def test_workers_share_one_postgres_study(workers, postgres_url, postgres_study, tmp_path):
    max_trials = 4 * workers + 1
    # Trials with x < 0.2 raise in the objective: they use up budget like completed ones.
    settings = config(postgres_url, postgres_study, tmp_path, max_trials, error_below=0.2)
    finish([start(settings) for _ in range(workers)])
    trials = check_study(load(postgres_url, postgres_study), max_trials, tmp_path)
    assert len(trials) == max_trials  # nobody died: no retries
    owners = {t.user_attrs[OWNER_ATTR]["pid"] for t in trials}
    assert len(owners) >= 2, "one worker ran every trial; the test proves nothing"


def test_survivors_retry_the_trial_of_a_killed_postgres_worker(
    postgres_url, postgres_study, tmp_path
):
    max_trials = 8
    settings = config(postgres_url, postgres_study, tmp_path, max_trials)
    # The victim plays a worker on another machine, so only its heartbeats can reveal its death.
    victim = start({**settings, "hang": True, "machine": "another-machine"})
    wait_for(lambda: any(p == [victim.pid] for p in markers(tmp_path).values()), "victim's trial")
    survivors = [start(settings) for _ in range(2)]
    wait_for(lambda: len(markers(tmp_path)) >= 3, "survivors' trials")
    os.kill(victim.pid, signal.SIGKILL)
    victim.join()
    finish(survivors)

    trials = check_study(load(postgres_url, postgres_study), max_trials, tmp_path)
    killed = [t for t in trials if t.user_attrs[OWNER_ATTR]["pid"] == victim.pid]
    assert len(killed) == 1 and killed[0].state == TrialState.FAIL
    retries = [t for t in trials if t.system_attrs.get("failed_trial") == killed[0].number]
    assert len(retries) == 1 and retries[0].state == TrialState.COMPLETE
    assert retries[0].user_attrs[OWNER_ATTR]["pid"] in {p.pid for p in survivors}


def test_killed_sqlite_search_resumes_at_once(tmp_path):
    url = default_storage_url(tmp_path / "project")
    folder = tmp_path / "markers"
    folder.mkdir()
    # grace_period=120: if the rerun waited for the heartbeat to expire, it would time out.
    settings = config(url, "resume", folder, 5, grace_period=120, hang_on_trial=2)
    first = start(settings)
    wait_for(lambda: 2 in markers(folder), "trial 2")
    os.kill(first.pid, signal.SIGKILL)
    first.join()
    states = [t.state for t in load(url, "resume").trials]
    assert states == [TrialState.COMPLETE, TrialState.COMPLETE, TrialState.RUNNING]

    rerun = start({**settings, "hang_on_trial": None})
    finish([rerun], timeout=30)
    trials = check_study(load(url, "resume"), 5, folder)
    # Finished trials were not rerun; the killed one was retried first, with its parameters.
    assert [t.user_attrs[OWNER_ATTR]["pid"] for t in trials[:3]] == [first.pid] * 3
    assert trials[2].state == TrialState.FAIL
    assert trials[3].system_attrs["failed_trial"] == 2
    assert [t.user_attrs[OWNER_ATTR]["pid"] for t in trials[3:]] == [rerun.pid] * 3


def test_two_processes_share_one_sqlite_study(tmp_path):
    url = default_storage_url(tmp_path / "project")
    folder = tmp_path / "markers"
    folder.mkdir()
    finish([start(config(url, "shared", folder, 9, error_below=0.2)) for _ in range(2)])
    trials = check_study(load(url, "shared"), 9, folder)
    assert len(trials) == 9
