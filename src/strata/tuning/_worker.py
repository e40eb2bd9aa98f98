"""Hands out the trials of one study to many workers without exceeding the trial budget.

Every worker (a process, on any machine) runs the same loop:

    worker = StudyWorker(study, max_trials)
    while (trial := worker.next_trial()) is not None:
        with worker.running(trial):
            value = objective(trial)
        worker.tell(trial, TrialState.COMPLETE, value)

`next_trial` works under the study's lock (see `_study_lock`): it fails the trials whose worker
is gone (heartbeat expired, or a dead process on this machine) so that Optuna's retry callback
re-queues them with the same parameters, counts the trials that use the budget, and asks Optuna
for the next one (queued retries first). Each handed-out trial records its owner, so a running
trial is never handed out again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
import warnings

import optuna
from optuna.trial import TrialState

from strata.tuning._storage import ERROR_ATTR, retry_callback
from strata.tuning._study_lock import storage_url, study_lock
from strata.utils.file_io import process_running

OWNER_ATTR = "strata_owner"

_logger = logging.getLogger(__name__)
_BUDGET_STATES = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING, TrialState.WAITING)
# (storage, trial id) of the trials this process handed out and has not finished yet.
_ACTIVE: set[tuple[str, int]] = set()
_ACTIVE_GUARD = threading.Lock()


class StudyWorker:
    """One worker's view of a study shared by many: next trial, heartbeats, results.

    Guarantees, for every worker that goes through this class (all processes, all machines):
    the trials that use the budget never exceed `max_trials`; a running trial is never handed
    to a second worker; a trial whose worker died is failed and retried with the same
    parameters by a surviving worker (or by the same search when it is started again).

    Args:
        study: An `optuna.Study`, typically from `open_study`.
        max_trials: The budget: trials that completed, were pruned, failed because their
            objective raised (see `mark_error`), are running or are queued.
        poll_interval: Seconds to wait before looking again when the budget is spent but other
            workers' trials still run (one of them may die and need a retry).

    Example:
        >>> from strata.tuning._storage import open_study
        >>> study = open_study(storage=None, study_name="doc")
        >>> worker = StudyWorker(study, max_trials=2)
        >>> while (trial := worker.next_trial()) is not None:
        ...     with worker.running(trial):
        ...         x = trial.suggest_float("x", -1.0, 1.0)
        ...     _ = worker.tell(trial, "COMPLETE", x * x)
        >>> len(study.trials)
        2
    """

    def __init__(self, study, max_trials, *, poll_interval=1.0):
        if not isinstance(max_trials, int) or isinstance(max_trials, bool) or max_trials < 1:
            raise ValueError(f"StudyWorker expected max_trials >= 1; received {max_trials!r}.")
        if not poll_interval > 0:
            raise ValueError(f"StudyWorker expected poll_interval > 0; received {poll_interval!r}.")
        self.study = study
        self.max_trials = max_trials
        self.poll_interval = float(poll_interval)
        self._storage = study._storage  # private in Optuna; the heartbeat API lives there
        self._storage_key = storage_url(study) or f"memory:{id(self._storage)}"
        self._lock = study_lock(study)
        self._owner = _this_process()
        self._fallback_retry = retry_callback(3)

    @property
    def lock(self):
        """The study-wide lock `next_trial` holds (a context manager), for callers that must
        change the study atomically with respect to the other workers (queueing a grid)."""
        return self._lock

    def next_trial(self):
        """The next trial for this worker to run, or `None` when the search is over.

        Returns:
            An `optuna.Trial` in the RUNNING state (a queued retry first, else a new one), or
            `None` once the budget is spent and no trial runs or waits anywhere. While the
            budget is spent but other workers still run trials, it waits (their worker may die
            and leave a retry to take over).
        """
        while True:
            with self._lock:
                self._fail_abandoned_trials()
                trials = self.study.get_trials(deepcopy=False)
                waiting = any(t.state == TrialState.WAITING for t in trials)
                if budget_used(trials) < self.max_trials or waiting:
                    return self._claim(self._ask())
                elsewhere = [
                    t for t in trials if t.state == TrialState.RUNNING and not self._is_active(t)
                ]
                if not elsewhere:
                    return None
            time.sleep(self.poll_interval)

    @contextlib.contextmanager
    def running(self, trial):
        """Sends `trial`'s heartbeats from a background thread while the body runs.

        Enter it right after `next_trial`. When the body raises (an interruption, or an error
        the caller did not handle) and the trial is still running, it is failed and queued to
        be retried, as if its worker had died.

        Args:
            trial: The trial from `next_trial`.

        Yields:
            `trial`.
        """
        stop = threading.Event()
        beats = threading.Thread(
            target=self._beat,
            args=(_trial_id(trial), stop),
            daemon=True,
            name=f"strata-heartbeat-{trial.number}",
        )
        beats.start()
        try:
            yield trial
        except BaseException:
            self._requeue(_trial_id(trial))
            raise
        finally:
            stop.set()
            beats.join()

    def tell(self, trial, state, value=None):
        """Finishes `trial` (`optuna.Study.tell`) and forgets it.

        Args:
            trial: The trial from `next_trial`.
            state: `TrialState.COMPLETE`, `PRUNED` or `FAIL` (or its name). Before FAIL for an
                error, call `mark_error` so the failure uses up budget.
            value: The objective's value (COMPLETE only).

        Returns:
            The finished `optuna.trial.FrozenTrial`.
        """
        if isinstance(state, str):
            state = TrialState[state.upper()]
        if state not in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL):
            raise ValueError(f"tell expected COMPLETE, PRUNED or FAIL; received {state.name}.")
        values = value if state == TrialState.COMPLETE else None
        try:
            frozen = self.study.tell(trial, values, state=state, skip_if_finished=True)
        finally:
            self._forget(_trial_id(trial))
        if frozen.state != state:
            # Another worker failed it (no heartbeat for grace_period) and queued a retry.
            _logger.warning(
                "Trial %d was already %s when its result came; its retry will run it again. "
                "Is grace_period too short for this machine?",
                trial.number,
                frozen.state.name,
            )
        return frozen

    # Internals.

    def _ask(self):
        with warnings.catch_warnings():
            # Optuna warns that heartbeats belong to Study.optimize; this class sends them.
            warnings.filterwarnings("ignore", message="Heartbeat of storage is supposed")
            return self.study.ask()

    def _claim(self, trial):
        trial_id = _trial_id(trial)
        # Heartbeat first, owner second: a trial killed before both are written has no owner
        # for its trial number, and the next lock holder fails it (see _abandoned).
        if hasattr(self._storage, "record_heartbeat") and self._heartbeat_interval():
            self._storage.record_heartbeat(trial_id)
        with _ACTIVE_GUARD:
            _ACTIVE.add((self._storage_key, trial_id))
        if trial.user_attrs.get(ERROR_ATTR) is not None:
            trial.set_user_attr(ERROR_ATTR, None)  # inherited by a retry; this run has none yet
        trial.set_user_attr(OWNER_ATTR, {**self._owner, "trial": trial.number})
        return trial

    def _fail_abandoned_trials(self):
        if self._heartbeat_interval():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                optuna.storages.fail_stale_trials(self.study)
        for trial in self.study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            if self._abandoned(trial):
                _logger.warning("Trial %d lost its worker; failing it for a retry.", trial.number)
                self._requeue(_trial_id(trial))

    def _abandoned(self, trial):
        owner = trial.user_attrs.get(OWNER_ATTR)
        if not isinstance(owner, dict) or owner.get("trial") != trial.number:
            return True  # its worker died between ask and claim, both under the lock we hold
        if owner.get("machine") != self._owner["machine"]:
            return False  # another machine: its heartbeats tell
        if owner.get("pid") == os.getpid():
            return not self._is_active(trial)
        return not _alive(owner.get("pid"), owner.get("started"))

    def _requeue(self, trial_id):
        """Fails a running trial and queues its retry (Optuna's callback, same parameters)."""
        self._forget(trial_id)
        try:
            if not self._storage.set_trial_state_values(trial_id, state=TrialState.FAIL):
                return
        except optuna.exceptions.UpdateFinishedTrialError:
            return  # finished meanwhile
        getter = getattr(self._storage, "get_heartbeat_stale_trial_callback", None)
        getter = getter or getattr(self._storage, "get_failed_trial_callback", None)
        callback = (getter() if getter else None) or self._fallback_retry
        callback(self.study, self._storage.get_trial(trial_id))

    def _beat(self, trial_id, stop):
        interval = self._heartbeat_interval()
        if not interval:
            return
        while not stop.wait(interval):
            try:
                self._storage.record_heartbeat(trial_id)
            except Exception as error:  # a database hiccup must not end the heartbeats
                _logger.warning("Heartbeat of trial id %d failed: %s", trial_id, error)

    def _heartbeat_interval(self):
        getter = getattr(self._storage, "get_heartbeat_interval", None)
        return getter() if getter else None

    def _is_active(self, trial):
        return (self._storage_key, _trial_id(trial)) in _ACTIVE

    def _forget(self, trial_id):
        with _ACTIVE_GUARD:
            _ACTIVE.discard((self._storage_key, trial_id))


def budget_used(trials) -> int:
    """How many of `trials` (FrozenTrials of one study) use the search's budget.

    Completed, pruned, running and queued trials count, and failed trials whose objective
    raised (`mark_error`). A trial failed because its worker died does not: its retry does.
    """
    retried = {n for t in trials for n in t.system_attrs.get("retry_history", ())}
    return sum(
        1
        for t in trials
        if t.state in _BUDGET_STATES
        or (
            t.state == TrialState.FAIL
            and t.number not in retried
            and t.user_attrs.get(ERROR_ATTR) is not None
        )
    )


def _trial_id(trial) -> int:
    # Private in Optuna: storages address trials by id; a Trial only shows its number.
    return trial._trial_id


def _this_process() -> dict:
    pid = os.getpid()
    return {
        "host": socket.gethostname(),
        "pid": pid,
        "machine": _machine_key(),
        "started": _process_start(pid),
    }


def _machine_key() -> str:
    """Names this machine and PID namespace: process ids are comparable only when it matches.

    The host name alone is not enough: containers started with the host's network share its
    name but not its process ids, and a rebooted machine reuses them.
    """
    parts = [socket.gethostname()]
    with contextlib.suppress(OSError):
        with open("/proc/sys/kernel/random/boot_id") as handle:
            parts.append(handle.read().strip())
    with contextlib.suppress(OSError):
        parts.append(os.readlink("/proc/self/ns/pid"))
    return "|".join(parts)


def _process_start(pid):
    """The start time of `pid` in clock ticks since boot (Linux), to tell reused pids apart."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    if fields[0] == "Z":
        return "zombie"
    return int(fields[19])


def _alive(pid, started) -> bool:
    if not isinstance(pid, int) or not process_running(pid):
        return False
    now = _process_start(pid)
    if now == "zombie":
        return False
    return started is None or now is None or now == started
