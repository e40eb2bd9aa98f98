"""A search worker for the multi-process tests: the loop a tuner runs, with a trivial objective.

Started in separate processes (multiprocessing's forkserver) by test_storage_workers.py. The
objective writes a marker file `<trial number>-<pid>` when it starts, so the tests can see which
process ran which trial independently of what the study records.
"""

import os
import time
from pathlib import Path

import optuna

from strata.tuning import _worker
from strata.tuning._storage import mark_error, open_study
from strata.tuning._worker import StudyWorker


def run_worker(config):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if config.get("machine"):
        # Plays a worker on another machine: its process id means nothing here, so only its
        # heartbeats can tell the others that it died.
        _worker._machine_key = lambda: config["machine"]
    study = open_study(
        storage=config["url"],
        study_name=config["study"],
        direction="minimize",
        sampler=optuna.samplers.RandomSampler(),
        heartbeat_interval=config.get("heartbeat_interval", 1),
        grace_period=config.get("grace_period", 3),
    )
    worker = StudyWorker(study, config["max_trials"], poll_interval=0.1)
    while (trial := worker.next_trial()) is not None:
        with worker.running(trial):
            x = trial.suggest_float("x", 0.0, 1.0)
            Path(config["markers"], f"{trial.number}-{os.getpid()}").write_text(repr(x))
            hang = trial.number == config.get("hang_on_trial") or config.get("hang")
            time.sleep(600 if hang else config.get("sleep", 0.03))
            failed = x < config.get("error_below", 0.0)
        if failed:
            mark_error(trial, f"ValueError: x={x} is too small")
            worker.tell(trial, "FAIL")
        else:
            worker.tell(trial, "COMPLETE", x)


def open_only(config):
    """Opens (creates or loads) the study and prints nothing: the creation race test."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    open_study(
        storage=config["url"], study_name=config["study"], heartbeat_interval=1, grace_period=3
    )
