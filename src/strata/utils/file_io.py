"""Safe file writes and a checksummed download cache."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import urllib.request
from pathlib import Path

_CHUNK = 1 << 20


@contextlib.contextmanager
def atomic_write(path, mode="wb"):
    """Writes a file so that readers see either the old content or the new, never a part.

    The data goes to a temporary file in the destination's folder (so the final rename stays
    on one file system); on a clean exit it is flushed, fsynced and moved over `path` with
    `os.replace`. If the body raises, the temporary file is removed and `path` is untouched.

    A `path` that is a symbolic link is written through: the file it points to gets the new
    content and the link stays (as Keras's saving does). Temporary files that an earlier write
    to the same path left behind when its process was killed (their writer is no longer
    running) are removed first, so crashes do not pile up full-size copies.

    Args:
        path: Destination file (str or `os.PathLike`). Its folder must exist.
        mode: `"wb"` (bytes) or `"w"` (text, UTF-8).

    Yields:
        The open temporary file object to write to.

    Raises:
        ValueError: When `mode` is not a write mode this function supports.

    Example:
        >>> import os, tempfile
        >>> folder = tempfile.mkdtemp()
        >>> target = os.path.join(folder, "log.txt")
        >>> with atomic_write(target, "w") as f:
        ...     _ = f.write("epoch,loss\\n")
        >>> open(target).read()
        'epoch,loss\\n'
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_write expected mode 'wb' or 'w'; received {mode!r}.")
    target = Path(os.fspath(path))
    if target.is_symlink():
        target = Path(os.path.realpath(target))  # write through the link, keep the link
    folder = target.parent if str(target.parent) else Path(".")
    remove_stale_temporaries(target)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.name}.{os.getpid()}.", suffix=_TEMP_SUFFIX, dir=folder
    )
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes owner-only files: keep the replaced file's mode, else the usual 0o644.
        os.chmod(tmp_name, target.stat().st_mode & 0o7777 if target.exists() else 0o644)
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp_name)
        raise
    _fsync_folder(folder)


_TEMP_SUFFIX = ".tmp"


def remove_stale_temporaries(path) -> list[str]:
    """Remove the temporary files that writes to `path` left when their process died.

    A temporary file is named `.<name>.<writer pid>.<random>.tmp`; one whose writer is not
    running any more can never be completed. Files of running writers (this process's
    included) are left alone. Returns the removed paths.
    """
    target = Path(os.fspath(path))
    folder = target.parent if str(target.parent) else Path(".")
    return _remove_dead_writers_files(folder, f".{target.name}.")


def remove_stale_temporaries_in(folder) -> list[str]:
    """`remove_stale_temporaries` for every file of `folder` (checkpoints named per epoch)."""
    return _remove_dead_writers_files(Path(os.fspath(folder)), ".")


def _remove_dead_writers_files(folder, prefix) -> list[str]:
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        if not (name.startswith(prefix) and name.endswith(_TEMP_SUFFIX)):
            continue
        # `.<target name>.<pid>.<random>.tmp`: the pid is the second-to-last dotted field
        # before the random part, whatever dots the target's own name has.
        fields = name[: -len(_TEMP_SUFFIX)].split(".")
        writer = fields[-2] if len(fields) >= 3 else ""
        if writer.isdigit() and not process_running(int(writer)):
            with contextlib.suppress(OSError):
                os.remove(folder / name)
                removed.append(str(folder / name))
    return removed


def process_running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def write_bytes_atomically(path, data: bytes) -> None:
    """`data` into `path` with `atomic_write`, creating the folder when needed."""
    os.makedirs(os.path.dirname(os.path.abspath(os.fspath(path))), exist_ok=True)
    with atomic_write(path, "wb") as handle:
        handle.write(data)


def _fsync_folder(folder):
    # Makes the rename itself durable; not possible (nor needed) on every platform.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def hash_algorithm(file_hash):
    """The name of the hash algorithm a hex digest comes from, judged by its length.

    Args:
        file_hash: A hex digest: 64 characters for SHA-256, 32 for MD5.

    Returns:
        `"sha256"` or `"md5"`.

    Raises:
        ValueError: For a digest of any other length.

    Example:
        >>> hash_algorithm("9fb629c4189551a2d022fa330f9573f3")
        'md5'
    """
    digest = str(file_hash).strip().lower()
    if len(digest) == 64:
        return "sha256"
    if len(digest) == 32:
        return "md5"
    raise ValueError(
        "Expected a hex SHA-256 (64 characters) or MD5 (32 characters) digest; "
        f"received {file_hash!r} ({len(digest)} characters)."
    )


def file_digest(path, algorithm="sha256"):
    """The hex digest of a file's bytes, read in chunks.

    Args:
        path: The file.
        algorithm: `"sha256"` or `"md5"`.

    Returns:
        The lowercase hex digest.

    Example:
        >>> import tempfile
        >>> with tempfile.NamedTemporaryFile(delete=False) as f:
        ...     _ = f.write(b"abc")
        >>> file_digest(f.name, "md5")
        '900150983cd24fb0d6963f7d28e17f72'
    """
    hasher = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def verify_file(path, file_hash, what=None):
    """Checks a file against an expected MD5 or SHA-256 digest.

    Args:
        path: The file to check.
        file_hash: The expected hex digest (its length picks the algorithm).
        what: A name for the file in the error message (defaults to its path).

    Raises:
        ValueError: When the digest differs, naming the expected and the actual digest.
        FileNotFoundError: When the file does not exist.
    """
    algorithm = hash_algorithm(file_hash)
    actual = file_digest(path, algorithm)
    expected = str(file_hash).strip().lower()
    if actual != expected:
        raise ValueError(
            f"Checksum mismatch for {what or os.fspath(path)}: expected {algorithm} {expected}; "
            f"received {actual}. The file is corrupt, incomplete or not the expected file."
        )


def strata_home():
    """The folder strata caches downloads in: `$STRATA_HOME`, else `~/.strata`."""
    return Path(os.environ.get("STRATA_HOME") or Path.home() / ".strata")


def get_file(fname, origin, file_hash=None, cache_dir=None, cache_subdir="datasets"):
    """Returns a local copy of a file, downloading it once into a cache folder.

    The file lives at `cache_dir/cache_subdir/fname`. When it is already there and matches
    `file_hash` (or no hash is given), its path is returned without any network access.
    Otherwise it is downloaded from `origin` into a temporary file beside the destination,
    checked against `file_hash`, and only then moved into place. A cached file with the
    wrong digest is never deleted: it is kept beside the new one as `fname + ".mismatch"`.

    Args:
        fname: File name inside the cache folder (or an absolute path, which is used as is).
        origin: URL to download from (any scheme `urllib` opens, `file://` included).
        file_hash: Expected hex digest, SHA-256 (64 characters) or MD5 (32 characters).
        cache_dir: Cache root; defaults to `$STRATA_HOME` or `~/.strata`.
        cache_subdir: Sub-folder of `cache_dir` for this file.

    Returns:
        The path of the verified local file, as a string.

    Raises:
        ValueError: When the downloaded file does not match `file_hash` (the download is
            discarded; nothing already on disk is touched) or the hash has a bad length.
        OSError: When the download fails (`urllib.error.URLError` is an `OSError`).

    Example:
        >>> import os, tempfile
        >>> folder = tempfile.mkdtemp()
        >>> source = os.path.join(folder, "source.bin")
        >>> with open(source, "wb") as f:
        ...     _ = f.write(b"abc")
        >>> path = get_file("abc.bin", "file://" + source, cache_dir=folder,
        ...                 file_hash="900150983cd24fb0d6963f7d28e17f72")
        >>> open(path, "rb").read()
        b'abc'
    """
    if file_hash is not None:
        hash_algorithm(file_hash)  # reject a malformed digest before touching anything
    root = Path(cache_dir) if cache_dir is not None else strata_home()
    folder = root / cache_subdir if cache_subdir else root
    target = folder / fname
    if target.is_file() and (file_hash is None or _matches(target, file_hash)):
        return str(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(origin) as response:
            shutil.copyfileobj(response, out, _CHUNK)
            out.flush()
            os.fsync(out.fileno())
        if file_hash is not None:
            verify_file(tmp_name, file_hash, what=f"{fname} downloaded from {origin}")
        os.chmod(tmp_name, 0o644)
        if target.exists():
            os.replace(target, target.with_name(target.name + ".mismatch"))
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp_name)
        raise
    return str(target)


def _matches(path, file_hash):
    try:
        verify_file(path, file_hash)
    except ValueError:
        return False
    return True
