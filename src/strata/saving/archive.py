"""The zip container of strata files: written atomically, read only after strict checks.

A strata file is a zip whose members all come from a fixed list of names. Reading never
unpickles, never imports and never evaluates anything: the magic bytes are checked before the
zip is opened, then member names, counts, compression methods and sizes, and only then are the
members read (zipfile checks each one's CRC and declared size).
"""

from __future__ import annotations

import json
import os
import zipfile
import zlib

from strata.utils.file_io import atomic_write

FORMAT_NAME = "strata"
CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.safetensors"
OPTIMIZER_TENSORS = "optimizer.safetensors"
OPTIMIZER_STATE = "optimizer.json"
KNOWN_MEMBERS = (CONFIG, METADATA, WEIGHTS, OPTIMIZER_TENSORS, OPTIMIZER_STATE)

# A member (or the whole archive) that inflates more than MAX_RATIO times is refused once it
# passes the matching size: strata writes weights uncompressed and JSON compresses ~10x.
MAX_RATIO = 100
MAX_TOTAL_INFLATED = 1 << 30
MAX_MEMBER_INFLATED = 64 << 20

_ZIP_MAGIC = b"PK\x03\x04"
_EXPECTED = (
    "a strata zip archive holding config.json, model.weights.safetensors and metadata.json "
    "(written by strata's save / save_weights)"
)


def write_archive(filepath, members: dict, overwrite: bool = True) -> None:
    """Write `members` ({name: bytes}) as a zip at `filepath`, atomically.

    Weights are stored uncompressed (they barely compress, and reading them is then a copy);
    JSON is deflated. Readers see the old file or the complete new one, never a part.

    Raises:
        FileExistsError: the file exists and `overwrite` is False.
        ValueError: `filepath` is a folder.
    """
    path = os.fspath(filepath)
    if os.path.isdir(path):
        raise ValueError(f"Expected a file path to save to; received the folder '{path}'.")
    if os.path.exists(path) and not overwrite:
        raise FileExistsError(
            f"'{path}' exists and overwrite=False; pass overwrite=True to replace it."
        )
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with atomic_write(path, "wb") as handle, zipfile.ZipFile(handle, "w") as archive:
        for name, data in members.items():
            method = zipfile.ZIP_STORED if name.endswith(".safetensors") else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=method)


def read_archive(filepath) -> dict:
    """The members of a strata file as {name: bytes}, after every safety check.

    Raises:
        ValueError: the file is not a strata zip (a pickle, a torch.save file, HDF5, ...), holds
            a member with an unexpected or unsafe name, is encrypted, or inflates absurdly.
            The message says what was expected and what came; nothing is executed.
        FileNotFoundError: no file at `filepath`.
    """
    path = os.fspath(filepath)
    if os.path.isdir(path):
        raise ValueError(f"Expected {_EXPECTED}; received the folder '{path}'.")
    with open(path, "rb") as handle:
        head = handle.read(16)
    if not head.startswith(_ZIP_MAGIC):
        raise ValueError(_not_strata(path, describe_head(head)))
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _check_members(path, infos)
            return {info.filename: archive.read(info) for info in infos}
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
        raise ValueError(
            _not_strata(path, f"a damaged or unsupported zip archive ({error})")
        ) from None


def _check_members(path, infos) -> None:
    names = [info.filename for info in infos]
    if any("data.pkl" in name or name.endswith(".pkl") for name in names):
        raise ValueError(
            _not_strata(path, f"a zip holding a pickle (a torch.save file?): members {names}")
        )
    unsafe = [n for n in names if n.startswith(("/", "\\")) or ".." in n or ":" in n]
    if unsafe:
        raise ValueError(
            _not_strata(path, f"a zip with unsafe member names {unsafe} (path traversal)")
        )
    unexpected = [n for n in names if n not in KNOWN_MEMBERS]
    if unexpected:
        raise ValueError(
            _not_strata(
                path,
                f"a zip with unexpected members {unexpected}; a strata file holds only "
                f"{list(KNOWN_MEMBERS)}",
            )
        )
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(_not_strata(path, f"a zip that repeats members {duplicates}"))
    for info in infos:
        if info.flag_bits & 0x1:
            raise ValueError(_not_strata(path, f"a zip with an encrypted member '{info.filename}'"))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ValueError(
                _not_strata(
                    path,
                    f"member '{info.filename}' compressed with method {info.compress_type}; "
                    "expected stored or deflated",
                )
            )
        if _too_inflated(info.file_size, info.compress_size, MAX_MEMBER_INFLATED):
            raise ValueError(_bomb(path, f"member '{info.filename}'", info))
    inflated = sum(info.file_size for info in infos)
    compressed = sum(info.compress_size for info in infos)
    if _too_inflated(inflated, compressed, MAX_TOTAL_INFLATED):
        raise ValueError(
            f"Refusing to load '{path}': its members would inflate from {compressed} to "
            f"{inflated} bytes (more than {MAX_RATIO}x and over {MAX_TOTAL_INFLATED} bytes), "
            "the signature of a zip bomb. Expected " + _EXPECTED + "."
        )


def _too_inflated(inflated, compressed, limit) -> bool:
    return inflated > limit and inflated > MAX_RATIO * max(compressed, 1)


def _bomb(path, what, info) -> str:
    return (
        f"Refusing to load '{path}': {what} would inflate from {info.compress_size} to "
        f"{info.file_size} bytes (more than {MAX_RATIO}x), the signature of a zip bomb. "
        "Expected " + _EXPECTED + "."
    )


def describe_head(head: bytes) -> str:
    """What a file's first bytes say it is, for error messages."""
    if not head:
        return "an empty file"
    if head[:1] == b"\x80" and len(head) > 1 and 2 <= head[1] <= 5:
        return (
            f"a Python pickle (protocol {head[1]}; e.g. a legacy torch.save file), "
            "which strata never loads because unpickling can run arbitrary code"
        )
    if head.startswith(b"\x89HDF\r\n\x1a\n"):
        return "an HDF5 file (the legacy Keras .h5 format), which strata does not read"
    if head.startswith(b"PK\x05\x06"):
        return "an empty zip archive"
    if head[:1] in (b"{", b"["):
        return "a JSON file (an architecture alone, as model.to_json() writes, has no weights)"
    if len(head) > 8 and head[8:9] == b"{":
        return "a bare safetensors file (strata files wrap it in a zip with its config)"
    return f"an unrecognised file starting with {head[:8]!r}"


def _not_strata(path, what) -> str:
    return (
        f"'{path}' is not a strata model or weights file: expected {_EXPECTED}; received "
        f"{what}. Nothing in it was loaded or executed."
    )


def parse_json(data: bytes, member: str, path) -> object:
    """`json.loads` of a member, with errors naming the file and member."""
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise ValueError(
            f"'{os.fspath(path)}': member {member} expected UTF-8 JSON; it could not be parsed "
            f"({error})."
        ) from None


def to_json_bytes(value, what: str) -> bytes:
    try:
        return json.dumps(value, indent=1).encode("utf-8")
    except (TypeError, ValueError) as error:
        raise ValueError(f"The {what} must hold JSON values only; {error}.") from error
