"""The zoo's folder: immutable model files, one record per entry, and a lock for commits.

Layout of a zoo folder::

    entries/<name>.json              the entry's record (the index is this folder)
    models/<name>.<pid>.<token>.keras  the model, in strata's safe file format; never rewritten
    .lock                            taken (flock) while an entry is committed or removed

A save writes the model file first (atomically: temporary file, fsync, `os.replace`) under a
name no other save uses, then commits the entry by replacing its record atomically. Readers see
the old record or the new one, each naming a complete model file, so a crash at any moment
leaves the zoo as it was (plus files that `clean()` or the next save removes), and concurrent
saves never mix one's record with another's file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
import warnings
from pathlib import Path

from strata.utils import file_io

ENTRIES = "entries"
MODELS = "models"
LOCK = ".lock"
SUFFIX = ".keras"
RECORD_SUFFIX = ".json"
# An unreferenced model file whose writer still runs may be a save in progress; after this
# long it is abandoned all the same (its process id may have been reused).
ABANDONED_AFTER_S = 24 * 3600


def zoo_directory(directory=None) -> Path:
    """The zoo's folder: `directory`, else `$STRATA_ZOO`, else `~/.strata/zoo`.

    The environment variable is read at each call, so it can change within a session.

    Example:
        >>> import os
        >>> str(zoo_directory("/tmp/my_zoo"))
        '/tmp/my_zoo'
    """
    if directory is not None:
        return Path(os.fspath(directory)).expanduser()
    configured = os.environ.get("STRATA_ZOO")
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".strata" / "zoo"


def prepare(root: Path) -> None:
    (root / ENTRIES).mkdir(parents=True, exist_ok=True)
    (root / MODELS).mkdir(parents=True, exist_ok=True)


def record_path(root: Path, name: str) -> Path:
    return root / ENTRIES / (name + RECORD_SUFFIX)


def new_model_path(root: Path, name: str) -> Path:
    """A model file name no other save can pick: the entry name, this process, a random token."""
    return root / MODELS / f"{name}.{os.getpid()}.{secrets.token_hex(6)}{SUFFIX}"


def writer_pid(file_name: str) -> int | None:
    """The process that wrote a model file, from its name (`<name>.<pid>.<token>.keras`)."""
    fields = file_name[: -len(SUFFIX)].split(".") if file_name.endswith(SUFFIX) else []
    return int(fields[-2]) if len(fields) >= 3 and fields[-2].isdigit() else None


@contextlib.contextmanager
def locked(root: Path):
    """Hold the zoo's lock: commits, removals and cleaning never interleave.

    An advisory `flock` on `.lock`, released by the system when its holder dies, so a crashed
    save never leaves the zoo locked. Where `fcntl` is missing (Windows) nothing is locked:
    entries stay consistent (commits are atomic renames), but `overwrite=False` may then let
    two simultaneous saves of one name both succeed, the later one winning.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        yield
        return
    handle = open(root / LOCK, "a+b")  # noqa: SIM115 - closed below, after the unlock
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        except OSError as error:  # a file system without locks (some network mounts)
            warnings.warn(
                f"Could not lock the zoo '{root}' ({error}); committing without the lock: "
                "entries stay whole, but simultaneous overwrite=False saves of one name may "
                "both succeed."
            )
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()


def record_names(root: Path) -> list[str]:
    """The names with a record, sorted (temporary files of unfinished commits excluded)."""
    try:
        files = os.listdir(root / ENTRIES)
    except FileNotFoundError:
        return []
    names = [f[: -len(RECORD_SUFFIX)] for f in files if f.endswith(RECORD_SUFFIX)]
    return sorted(n for n in names if not n.startswith("."))


def remove_quietly(path: Path) -> bool:
    """Remove `path` if possible: gone already, or held open where that forbids removal
    (Windows), it stays for a later `clean()`; the commit it follows stands either way."""
    try:
        os.remove(path)
    except OSError:
        return False
    return True


def leftovers(root: Path, referenced: set[str]) -> list[Path]:
    """Files no entry needs: model files no record names whose save is over, and the
    temporary files of writes whose process died. Call with the lock held."""
    found = []
    models = root / MODELS
    try:
        files = os.listdir(models)
    except FileNotFoundError:
        files = []
    now = time.time()
    for file in files:
        if not file.endswith(SUFFIX) or file.startswith(".") or file in referenced:
            continue
        pid = writer_pid(file)
        try:
            age = now - os.path.getmtime(models / file)
        except FileNotFoundError:
            continue
        if pid is None or not file_io.process_running(pid) or age > ABANDONED_AFTER_S:
            found.append(models / file)
    return found


def remove_dead_temporaries(root: Path) -> list[str]:
    """Temporary files that killed saves left in `models/` and `entries/`."""
    removed = []
    for folder in (MODELS, ENTRIES):
        removed += file_io.remove_stale_temporaries_in(root / folder)
    return removed
