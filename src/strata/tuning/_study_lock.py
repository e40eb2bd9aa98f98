"""One lock per study, held by every process that hands out that study's trials.

Counting a study's trials and asking for a new one must happen as one step, or two workers
that both see one trial of budget left would both start one. The lock that makes it one step
depends on where the study lives:

- SQLite: `fcntl.flock` on `<file>.lock` beside the database (every process on the machine).
- PostgreSQL: a session advisory lock (`pg_advisory_lock`) on a connection of its own, keyed by
  the study's name (every process on every machine). The server releases it when the holder's
  connection drops, so a killed worker never leaves the study locked.
- Anything else (in-memory, journal files, other databases): a lock of this process only, which
  is safe between threads but not between processes.
"""

from __future__ import annotations

import hashlib
import os
import threading

import sqlalchemy

_LOCAL_LOCKS: dict[str, threading.RLock] = {}
_LOCAL_LOCKS_GUARD = threading.Lock()


def study_lock(study):
    """The lock shared by every worker of `study` (a context manager)."""
    url = storage_url(study)
    name = study.study_name
    if url is not None:
        parsed = sqlalchemy.engine.make_url(url)
        backend = parsed.get_backend_name()
        if backend == "sqlite" and parsed.database not in (None, "", ":memory:"):
            return _FileLock(os.path.abspath(parsed.database) + ".lock")
        if backend == "postgresql":
            return _PostgresLock(url, name)
    key = f"{url or id(_backend(study._storage))}:{name}"
    with _LOCAL_LOCKS_GUARD:
        return _LOCAL_LOCKS.setdefault(key, threading.RLock())


def storage_url(study) -> str | None:
    """The database URL behind `study`, or `None` when it is not in a SQLAlchemy database."""
    return getattr(_backend(study._storage), "url", None)


def _backend(storage):
    # Private: Optuna wraps RDBStorage in a _CachedStorage that keeps the real one in `_backend`.
    return getattr(storage, "_backend", storage)


class _FileLock:
    def __init__(self, path):
        self._path = path
        self._file = None
        self._local = threading.Lock()  # flock is per open file, not per thread

    def __enter__(self):
        import fcntl

        self._local.acquire()
        try:
            self._file = open(self._path, "a+")  # noqa: SIM115 - held until __exit__
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX)
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(self, *exc_info):
        self._close()

    def _close(self):
        if self._file is not None:
            self._file.close()  # closing the file releases the flock
            self._file = None
        self._local.release()


class _PostgresLock:
    # TCP keepalives: a lock held by a machine that lost power is released within ~30 s rather
    # than after the kernel's two-hour default.
    _CONNECT_ARGS = {
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 5,
        "keepalives_count": 3,
    }

    def __init__(self, url, study_name):
        digest = hashlib.blake2b(f"strata.tuning:{study_name}".encode(), digest_size=8).digest()
        self._key = int.from_bytes(digest, "big", signed=True)
        self._engine = sqlalchemy.create_engine(
            url, poolclass=sqlalchemy.pool.NullPool, connect_args=self._CONNECT_ARGS
        )
        self._connection = None
        self._local = threading.Lock()

    def __enter__(self):
        self._local.acquire()
        try:
            self._connection = self._engine.connect()
            self._connection.execute(
                sqlalchemy.text("SELECT pg_advisory_lock(:key)"), {"key": self._key}
            )
            self._connection.commit()
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(self, *exc_info):
        try:
            self._connection.execute(
                sqlalchemy.text("SELECT pg_advisory_unlock(:key)"), {"key": self._key}
            )
            self._connection.commit()
        finally:
            self._close()

    def _close(self):
        # A fresh connection per critical section: closing it also drops the lock if the
        # unlock failed, and no idle connection is held while trials run.
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self._local.release()
