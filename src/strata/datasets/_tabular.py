"""Finding, verifying and reading a dataset stored as one `.npz` with arrays `x` and `y`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from strata.datasets._files import locate
from strata.utils.file_io import get_file, verify_file


def find_file(folder_name, filename, origin, file_hash, path):
    """The dataset file: `path` (file or folder), else the env folder, else the cache."""
    if path is not None:
        candidate = Path(path).expanduser()
        candidate = candidate / filename if candidate.is_dir() else candidate
        if not candidate.is_file():
            raise FileNotFoundError(f"{folder_name} expected the file {candidate}; it is absent.")
        return candidate
    folder, is_cache = locate(folder_name)
    if is_cache:
        return Path(get_file(filename, origin, file_hash, cache_dir=folder, cache_subdir=""))
    candidate = folder / filename
    if not candidate.is_file():
        raise FileNotFoundError(f"{folder_name} expected the file {candidate}; it is absent.")
    return candidate


def load_npz_pair(folder_name, filename, origin, sha256, path, features):
    file = find_file(folder_name, filename, origin, sha256, path)
    verify_file(file, sha256, what=f"{folder_name} file {file}")
    with np.load(file, allow_pickle=False) as archive:
        missing = {"x", "y"} - set(archive.files)
        if missing:
            raise ValueError(f"{file}: expected arrays 'x' and 'y'; missing {sorted(missing)}.")
        x, y = archive["x"], archive["y"]
    if x.ndim != 2 or x.shape[1] != features or len(y) != len(x):
        raise ValueError(
            f"{file}: expected x of shape (n, {features}) and y of n rows; received x "
            f"{x.shape} and y {y.shape}."
        )
    return x, y


def load_word_index(folder_name, filename, origin, md5, path):
    """A checksummed JSON word -> index mapping (Keras's `*_word_index.json` files)."""
    file = find_file(folder_name, filename, origin, md5, path)
    verify_file(file, md5, what=f"{folder_name} word index {file}")
    with open(file, encoding="utf-8") as handle:
        index = json.load(handle)
    if not isinstance(index, dict) or not all(type(v) is int for v in index.values()):
        raise ValueError(f"{file}: expected a JSON object mapping words to integer indices.")
    return index
