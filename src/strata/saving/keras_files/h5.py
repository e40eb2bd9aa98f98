"""Reading HDF5 written by Keras with h5py, numbers and plain strings only.

h5py itself never unpickles, but an HDF5 file can still hold things a reader should not follow:
object (variable-length) or opaque (`np.void`, e.g. pickled bytes) data, links to other files,
datasets whose bytes live in external files, virtual datasets. Every read here goes through
checks that accept only hard links, numeric or boolean datasets stored in the file itself, and
attributes that are strings, bytes (decoded as UTF-8) or numbers. Anything else is refused with
a ValueError naming the file and the member.
"""

from __future__ import annotations

import io
import os

import numpy as np

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
# HDF5 allows a user block before the superblock: 0, 512, 1024, 2048, ... bytes.
_SUPERBLOCK_OFFSETS = (0, 512, 1024, 2048, 4096)
# A compressed dataset may not inflate beyond this many times the file's size.
_MAX_INFLATION = 100
_NUMERIC_KINDS = "biuf"


def is_hdf5(path) -> bool:
    """Whether the file at `path` starts (or starts after a user block) with HDF5's signature."""
    try:
        with open(os.fspath(path), "rb") as handle:
            head = handle.read(_SUPERBLOCK_OFFSETS[-1] + len(HDF5_MAGIC))
    except (OSError, TypeError):
        return False
    return any(head[o : o + len(HDF5_MAGIC)] == HDF5_MAGIC for o in _SUPERBLOCK_OFFSETS)


def _h5py():
    try:
        import h5py
    except ImportError as error:
        raise ImportError(
            "Reading Keras HDF5 files (.h5, .weights.h5, the weights inside .keras) needs h5py; "
            "install it with `pip install h5py` (or `pip install strata[extras]`)."
        ) from error
    return h5py


def open_file(source, label):
    """An h5py File for a path or bytes, opened read-only; errors name `label`."""
    h5py = _h5py()
    try:
        handle = io.BytesIO(source) if isinstance(source, bytes) else os.fspath(source)
        return h5py.File(handle, "r")
    except OSError as error:
        raise ValueError(
            f"'{label}' starts like an HDF5 file (a Keras .h5) but strata could not read it as "
            f"one ({error}). Nothing in it was loaded or executed."
        ) from None


class Reader:
    """Safe access to one open HDF5 file: children, numeric datasets and string attributes.

    Args:
        file: an open h5py File.
        label: how messages name the file.
        size: the file's size in bytes (bounds what a compressed dataset may inflate to).
    """

    def __init__(self, file, label, size):
        self.file = file
        self.label = label
        self.limit = max(int(size), 1 << 20) * _MAX_INFLATION

    def refuse(self, what) -> ValueError:
        return ValueError(
            f"Refusing to read '{self.label}': {what}. Keras files hold numeric datasets and "
            "string attributes only; nothing in this file was executed."
        )

    def children(self, group) -> dict:
        """{name: group or dataset} of `group`'s members, hard links only."""
        h5py = _h5py()
        found = {}
        for name in group.keys():
            link = group.get(name, getlink=True)
            if not isinstance(link, h5py.HardLink):
                raise self.refuse(
                    f"member '{group.name}/{name}' is a {type(link).__name__} (a link to "
                    "elsewhere, possibly another file)"
                )
            found[name] = group[name]
        return found

    def is_group(self, item) -> bool:
        return isinstance(item, _h5py().Group)

    def array(self, dataset) -> np.ndarray:
        """The dataset's values, after checking it is numeric and stored in this file."""
        dtype = dataset.dtype
        if _is_bfloat16(dataset, self):
            return self._bfloat16(dataset)
        if dtype.kind not in _NUMERIC_KINDS or dtype.fields is not None:
            raise self.refuse(
                f"dataset '{dataset.name}' has dtype {dtype!r} (kind '{dtype.kind}'); only "
                "numeric or boolean weights are read (object, string or opaque data may hide a "
                "pickle)"
            )
        self._check_storage(dataset, dtype.itemsize)
        value = dataset[()]
        return np.asarray(value, dtype=dtype.newbyteorder("=") if dtype.byteorder == ">" else None)

    def _bfloat16(self, dataset) -> np.ndarray:
        """Keras 3 stores bfloat16 weights as 2-byte opaque data tagged `dtype="bfloat16"`:
        the raw bits, widened to float32 (bfloat16 is float32's upper half)."""
        self._check_storage(dataset, 2)
        raw = np.frombuffer(np.asarray(dataset[()]).tobytes(), dtype="<u2")
        return (raw.astype(np.uint32) << 16).view(np.float32).reshape(dataset.shape)

    def _check_storage(self, dataset, itemsize) -> None:
        if dataset.external or dataset.is_virtual:
            raise self.refuse(f"dataset '{dataset.name}' takes its data from outside the file")
        nbytes = int(np.prod(dataset.shape, dtype=np.int64)) * itemsize
        if nbytes > self.limit:
            raise self.refuse(
                f"dataset '{dataset.name}' declares {nbytes} bytes, more than "
                f"{_MAX_INFLATION}x the file's size"
            )

    def attr(self, obj, name, default=None):
        """A string, list of strings or number attribute (bytes decoded as UTF-8)."""
        if name not in obj.attrs:
            return default
        try:
            value = obj.attrs[name]
        except (OSError, TypeError, ValueError) as error:
            raise self.refuse(
                f"attribute '{name}' of '{obj.name}' cannot be read ({error})"
            ) from None
        return self._plain(value, f"attribute '{name}' of '{obj.name}'")

    def _plain(self, value, what):
        if isinstance(value, bytes):
            return self._decode(value, what)
        if isinstance(value, str):
            return value
        if isinstance(value, np.ndarray):
            if value.dtype.kind in _NUMERIC_KINDS:
                return value.tolist()
            if value.dtype.kind in "SUO":
                items = [self._plain(item, what) for item in value.ravel().tolist()]
                if any(not isinstance(item, str) for item in items):
                    raise self.refuse(f"{what} holds non-string objects")
                return items
        if isinstance(value, np.generic) and value.dtype.kind in _NUMERIC_KINDS:
            return value.item()
        if isinstance(value, np.bytes_):
            return self._decode(bytes(value), what)
        raise self.refuse(
            f"{what} has type {type(value).__name__} "
            f"{getattr(value, 'dtype', '')!s}; expected a string or numbers (opaque bytes may "
            "be a pickle)"
        )

    def _decode(self, data, what) -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise self.refuse(f"{what} is not UTF-8 text") from None

    def string_list(self, obj, name) -> list[str]:
        """A list attribute, also when Keras split it into chunks `name0`, `name1`, ..."""
        if name in obj.attrs:
            return _as_list(self.attr(obj, name))
        found, index = [], 0
        while f"{name}{index}" in obj.attrs:
            found += _as_list(self.attr(obj, f"{name}{index}"))
            index += 1
        return found


def _is_bfloat16(dataset, reader) -> bool:
    dtype = dataset.dtype
    if dtype.kind != "V" or dtype.itemsize != 2 or dtype.fields is not None:
        return False
    return reader.attr(dataset, "dtype") == "bfloat16"


def _as_list(value) -> list:
    # An empty list attribute comes back as an empty float array: [] after tolist().
    if isinstance(value, list):
        return [str(item) for item in value]
    return [] if value is None else [str(value)]
