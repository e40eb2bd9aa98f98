"""Reads Keras's `.npz` dataset files, including ragged ones, without running code from them.

Ragged arrays (one list of word indices per review) can only be stored in `.npy` as pickled
object arrays. Plain `np.load(allow_pickle=True)` would let such a file run any code; here the
pickle stream goes through an unpickler that knows only how to rebuild a numpy array, so a file
that asks for anything else is refused. Every element is then checked to be a number or a list
of integers.
"""

from __future__ import annotations

import io
import pickle
import zipfile

import numpy as np

# The only callables a pickled numpy array of Python lists needs.
_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
}


class _ArrayOnlyUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise ValueError(
            f"refused to load {module}.{name} from a dataset file: only numpy arrays of "
            "numbers and lists of integers may be stored there."
        )


def load_npz(path) -> dict:
    """All arrays of an `.npz` file; object arrays are unpickled safely and checked.

    Args:
        path: The `.npz` file.

    Returns:
        `{name: array}`; object arrays hold lists of ints (or ints).

    Raises:
        ValueError: For a file that is not an `.npz`, or whose pickled members hold anything
            but numpy arrays of numbers or lists of integers.
    """
    arrays = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if not member.endswith(".npy"):
                    continue
                with archive.open(member) as handle:
                    arrays[member[: -len(".npy")]] = _read_npy(handle.read(), path, member)
    except zipfile.BadZipFile:
        raise ValueError(f"{path}: expected an .npz (zip) file.") from None
    return arrays


def _read_npy(data, path, member):
    stream = io.BytesIO(data)
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(stream)
    else:
        shape, _, dtype = np.lib.format.read_array_header_2_0(stream)
    if not dtype.hasobject:
        stream.seek(0)
        return np.lib.format.read_array(stream, allow_pickle=False)
    array = _ArrayOnlyUnpickler(stream).load()
    if not isinstance(array, np.ndarray) or array.shape != shape:
        raise ValueError(f"{path}: member {member} expected an array of shape {shape}.")
    for item in array.flat:
        if not _is_int_list(item) and not isinstance(item, (int, np.integer)):
            raise ValueError(
                f"{path}: member {member} expected lists of integers; found {type(item).__name__}."
            )
    return array


def _is_int_list(item) -> bool:
    return isinstance(item, list) and all(isinstance(v, (int, np.integer)) for v in item)
