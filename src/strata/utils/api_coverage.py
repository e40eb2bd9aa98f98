"""Which of Keras 3's public names strata has: the measure behind the README's coverage figure.

`tests/compat/keras_3_15_api.json` lists every public name of Keras 3.15.1 (generated once with
Keras installed; Keras is never a dependency). A name `keras.a.b.C` is covered when
`strata.a.b.C` resolves (importing submodules as needed).
"""

from __future__ import annotations

import importlib
import json
from collections import Counter


def resolve(keras_name):
    """The strata object for a Keras name (`"keras.layers.Dense"`), or None when absent."""
    parts = ["strata"] + keras_name.split(".")[1:]
    obj = importlib.import_module("strata")
    for depth in range(1, len(parts)):
        try:
            obj = getattr(obj, parts[depth])
        except AttributeError:
            try:
                obj = importlib.import_module(".".join(parts[: depth + 1]))
            except ImportError:
                return None
    return obj


def coverage(api_file):
    """`(covered, missing)`: sorted lists of Keras names strata has and lacks."""
    with open(api_file, encoding="utf-8") as handle:
        names = sorted(json.load(handle)["names"])
    covered = [name for name in names if resolve(name) is not None]
    covered_set = set(covered)
    return covered, [name for name in names if name not in covered_set]


def by_module(names):
    """Counts per top-level Keras module (`keras.layers`, `keras.ops`, ...)."""
    return Counter(".".join(name.split(".")[:2]) for name in names)
