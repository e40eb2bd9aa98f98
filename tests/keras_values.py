"""Read the values recorded from Keras by tools/keras_fixtures/ (one float32 array + an index)."""

import json
from pathlib import Path

import numpy as np


class KerasValues:
    """`cases` (a list of dicts) and `values[key]` (arrays) of one recorded fixture file."""

    def __init__(self, path: Path):
        with np.load(path) as data:
            self.cases = json.loads(str(data["cases"]))
            self._index = json.loads(str(data["index"]))
            self._values = data["values"]

    def __contains__(self, key):
        return key in self._index

    def __getitem__(self, key) -> np.ndarray:
        offset, shape = self._index[key]
        size = int(np.prod(shape)) if shape else 1
        return self._values[offset : offset + size].reshape(shape)

    def get(self, key):
        return self[key] if key in self else None

    def case(self, case_id) -> dict:
        return next(c for c in self.cases if c["id"] == case_id)
