"""Where a search's study lives: SQLite beside the project by default, PostgreSQL to share it.

`open_study` turns a storage URL into an Optuna study with heartbeats and retries switched on,
so that a worker that dies mid-trial has its trial failed and re-queued with the same
parameters. Several processes may open the same study at the same instant.
"""

from __future__ import annotations

import importlib.util
import os
import random
import time
import warnings

import optuna
import sqlalchemy
from sqlalchemy import exc as sa_exc

DEFAULT_HEARTBEAT_INTERVAL = 30
DEFAULT_GRACE_PERIOD = 120
DEFAULT_MAX_RETRY = 3
STUDY_FILE = "study.db"
ERROR_ATTR = "error"

_DIRECTIONS = ("minimize", "maximize")
_CREATE_ATTEMPTS = 8


def default_storage_url(project_dir) -> str:
    """The SQLite URL of a search's study file inside its project folder.

    Args:
        project_dir: The search's folder (`directory/project_name` in KerasTuner's terms). It is
            created when missing.

    Returns:
        `"sqlite:///<absolute path>/study.db"`.

    Example:
        >>> import tempfile
        >>> url = default_storage_url(tempfile.mkdtemp())
        >>> url.startswith("sqlite:///") and url.endswith("/study.db")
        True
    """
    folder = os.path.abspath(os.fspath(project_dir))
    os.makedirs(folder, exist_ok=True)
    return "sqlite:///" + os.path.join(folder, STUDY_FILE)


def open_study(
    *,
    storage,
    study_name: str,
    direction: str = "minimize",
    sampler=None,
    pruner=None,
    overwrite: bool = False,
    heartbeat_interval: int = DEFAULT_HEARTBEAT_INTERVAL,
    grace_period: int = DEFAULT_GRACE_PERIOD,
    max_retry: int | None = DEFAULT_MAX_RETRY,
) -> optuna.Study:
    """Creates the study, or loads it when it exists, in a storage shared by several processes.

    A URL storage becomes an `optuna.storages.RDBStorage` whose running trials send heartbeats:
    a trial without a heartbeat for `grace_period` seconds is failed and re-queued (a WAITING
    copy with the same parameters) up to `max_retry` times. SQLite waits for locks instead of
    failing, so several local processes can share one file. Any number of processes may call
    this at the same time for the same study: one creates it, the others load it.

    Args:
        storage: `"sqlite:///path/study.db"`, `"postgresql://user:password@host:port/db"` (any
            SQLAlchemy URL Optuna accepts), an Optuna storage object (used as given), or
            `None` for an in-memory study (one process only).
        study_name: The study's name in the storage.
        direction: `"minimize"` or `"maximize"`.
        sampler: An Optuna sampler, or `None` for Optuna's default.
        pruner: An Optuna pruner, or `None` for Optuna's default.
        overwrite: Delete the study first when it exists (every trial of it is lost). With
            several workers, let only the first one overwrite.
        heartbeat_interval: Seconds between the heartbeats of a running trial (URLs only).
        grace_period: Seconds without a heartbeat after which a running trial is failed and
            retried (URLs only).
        max_retry: How many times one trial is retried after its worker died; `None` for no
            limit (URLs only).

    Returns:
        The `optuna.Study`.

    Raises:
        ValueError: When an argument is not one of the accepted values, or when the existing
            study optimizes in the other direction.

    Example:
        >>> import tempfile
        >>> url = default_storage_url(tempfile.mkdtemp())
        >>> study = open_study(storage=url, study_name="demo", direction="maximize")
        >>> study.direction.name
        'MAXIMIZE'
    """
    _check_arguments(study_name, direction, heartbeat_interval, grace_period, max_retry)
    if isinstance(storage, str):
        storage = _retry_on_races(
            lambda: _rdb_storage(storage, heartbeat_interval, grace_period, max_retry)
        )
    elif storage is not None and not isinstance(storage, optuna.storages.BaseStorage):
        raise ValueError(
            "open_study expected `storage` to be a URL string, an Optuna storage or None; "
            f"received {type(storage).__name__}."
        )
    if storage is None:
        storage = optuna.storages.InMemoryStorage()
    if overwrite:
        _delete_if_exists(storage, study_name)
    study = _retry_on_races(
        lambda: optuna.create_study(
            storage=storage,
            study_name=study_name,
            direction=direction,
            sampler=sampler,
            pruner=pruner,
            load_if_exists=True,
        )
    )
    if study.direction.name.lower() != direction:
        raise ValueError(
            f"Study '{study_name}' already exists and is set to {study.direction.name.lower()}; "
            f"received direction={direction!r}. Use overwrite=True or another project name."
        )
    return study


def mark_error(trial, text) -> None:
    """Records that `trial` failed because its objective raised, before it is told FAIL.

    Such a failure uses up one trial of the budget; a trial failed because its worker died
    does not (its retry does).

    Args:
        trial: The running `optuna.Trial`.
        text: What went wrong (typically the formatted traceback); the last 4,000 characters
            are kept.

    Example:
        >>> study = open_study(storage=None, study_name="errors")
        >>> trial = study.ask()
        >>> mark_error(trial, "ValueError: bad batch")
        >>> trial.user_attrs["error"]
        'ValueError: bad batch'
    """
    trial.set_user_attr(ERROR_ATTR, str(text)[-4000:])


def _check_arguments(study_name, direction, heartbeat_interval, grace_period, max_retry):
    if not isinstance(study_name, str) or not study_name:
        raise ValueError(
            f"open_study expected a non-empty string study_name; received {study_name!r}."
        )
    if direction not in _DIRECTIONS:
        raise ValueError(
            f"open_study expected direction 'minimize' or 'maximize'; received {direction!r}."
        )
    for name, value in (("heartbeat_interval", heartbeat_interval), ("grace_period", grace_period)):
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"open_study expected a positive integer {name}; received {value!r}.")
    if max_retry is not None and (not isinstance(max_retry, int) or max_retry < 0):
        raise ValueError(
            f"open_study expected max_retry to be None or an integer >= 0; received {max_retry!r}."
        )
    if grace_period <= heartbeat_interval:
        raise ValueError(
            "open_study expected grace_period to be longer than heartbeat_interval (a live "
            f"trial would look dead); received grace_period={grace_period}, "
            f"heartbeat_interval={heartbeat_interval}."
        )


def retry_callback(max_retry: int | None):
    """Optuna's callback that re-queues a trial whose worker died (renamed in Optuna 4.9)."""
    cls = getattr(optuna.storages, "RetryHeartbeatStaleTrialCallback", None)
    cls = cls or optuna.storages.RetryFailedTrialCallback
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return cls(max_retry=max_retry)


def sqlalchemy_url(url: str) -> str:
    """`url` with the PostgreSQL driver that is installed spelled out.

    SQLAlchemy 2.1 reads `postgresql://` as psycopg 3; strata's extras install psycopg2. A URL
    that names its driver (`postgresql+psycopg://`) is left as it is.

    Args:
        url: A SQLAlchemy database URL.

    Returns:
        The URL to give SQLAlchemy.

    Example:
        >>> sqlalchemy_url("sqlite:///study.db")
        'sqlite:///study.db'
    """
    parsed = sqlalchemy.engine.make_url(url)
    if (
        parsed.drivername == "postgresql"
        and importlib.util.find_spec("psycopg") is None
        and importlib.util.find_spec("psycopg2") is not None
    ):
        return parsed.set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)
    return url


def _rdb_storage(url, heartbeat_interval, grace_period, max_retry):
    url = sqlalchemy_url(url)
    engine_kwargs = {}
    if sqlalchemy.engine.make_url(url).get_backend_name() == "sqlite":
        # Processes sharing the file wait up to a minute for its write lock instead of failing
        # with "database is locked".
        engine_kwargs = {"connect_args": {"timeout": 60}}
    # Optuna 4.9 renamed failed_trial_callback; the old name still works there but warns.
    callback_name = "failed_trial_callback"
    if hasattr(optuna.storages, "RetryHeartbeatStaleTrialCallback"):
        callback_name = "heartbeat_stale_trial_callback"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return optuna.storages.RDBStorage(
            url,
            engine_kwargs=engine_kwargs,
            heartbeat_interval=heartbeat_interval,
            grace_period=grace_period,
            **{callback_name: retry_callback(max_retry)},
        )


def _retry_on_races(make):
    """Runs `make`, retrying when another process created the same tables or study meanwhile.

    Two processes creating Optuna's tables (or the same study) at one instant make one of them
    fail with a duplicate error; once the other has committed, trying again loads what it made.
    """
    for attempt in range(_CREATE_ATTEMPTS):
        try:
            return make()
        except (optuna.exceptions.DuplicatedStudyError, sa_exc.IntegrityError) as error:
            last = error
        except sa_exc.ProgrammingError as error:  # "relation already exists" on PostgreSQL
            last = error
        except sa_exc.OperationalError as error:
            if "locked" not in str(error) and "already exists" not in str(error):
                raise
            last = error
        except KeyError as error:  # the study was deleted between "duplicate" and the load
            last = error
        time.sleep(0.05 * (attempt + 1) + random.random() * 0.1)
    raise last


def _delete_if_exists(storage, study_name):
    try:
        optuna.delete_study(study_name=study_name, storage=storage)
    except KeyError:
        pass  # nothing to overwrite
