"""Record Keras 3's outputs for the op cases of tests/ops (nn, math, linalg, image).

Run with the reference Keras (torch backend), from the repository root:
    KERAS_BACKEND=torch /work/kerasenv/bin/python tools/keras_fixtures/ops_nn_math_linalg_image.py

The argument tables live in tests/ops/cases_*.py; both this script and the tests build the same
inputs from them. Writes tests/ops/fixtures/ops_<module>.npz (outputs keyed
"<op>.<case>::<i>", packed by tests/ops/harness.py's `pack`),
keras_ops_math_names.json (the names Keras's ops/math.py exports, which have no public
`keras.ops.math` module to list them) and keras_op_signatures.json (parameter names, kinds and
defaults of every op and of keras.random).
"""

import inspect
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import keras.src.ops.math as keras_math  # noqa: E402
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from ops import cases_image, cases_linalg, cases_math, cases_nn  # noqa: E402
from ops.harness import FIXTURES, MATH_NAMES, SIGNATURES, fixture_file, pack  # noqa: E402

TABLES = {"nn": cases_nn, "math": cases_math, "linalg": cases_linalg, "image": cases_image}


def keras_outputs(value):
    if isinstance(value, (tuple, list)):
        return [a for v in value for a in keras_outputs(v)]
    return [np.asarray(keras.ops.convert_to_numpy(value))]


def as_keras(value):
    """NumPy arguments as Keras tensors (some Keras ops on torch take tensors only)."""
    if isinstance(value, np.ndarray):
        return keras.ops.convert_to_tensor(value)
    if isinstance(value, (tuple, list)):
        return type(value)(as_keras(v) for v in value)
    return value


def keras_op(module, name):
    return getattr(keras.ops if module == "math" else getattr(keras.ops, module), name)


def math_names():
    names = set()
    for obj in vars(keras_math).values():
        if inspect.isfunction(obj) and obj.__module__ == keras_math.__name__:
            path = getattr(obj, "_api_export_path", None)
            for full in [path] if isinstance(path, str) else path or []:
                if full.startswith("keras.ops."):
                    names.add(full.rsplit(".", 1)[1])
    return sorted(names)


def signature(function):
    """Parameter names, kinds and defaults (as repr) of a function or a class's __init__."""
    target = function.__init__ if inspect.isclass(function) else function
    params = [p for p in inspect.signature(target).parameters.values() if p.name != "self"]
    return [
        [p.name, p.kind.name, None if p.default is p.empty else repr(p.default)] for p in params
    ]


def signatures():
    """Keras's signatures of every op of the four modules and of `keras.random`."""
    result = {}
    for module in TABLES:
        names = (
            math_names()
            if module == "math"
            else [n for n in dir(getattr(keras.ops, module)) if not n.startswith("_")]
        )
        for name in names:
            result[f"{module}.{name}"] = signature(keras_op(module, name))
    for name in dir(keras.random):
        if not name.startswith("_"):
            result[f"random.{name}"] = signature(getattr(keras.random, name))
    return result


def main():
    FIXTURES.mkdir(parents=True, exist_ok=True)
    MATH_NAMES.write_text(json.dumps(math_names(), indent=1) + "\n")
    lines = [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in sorted(signatures().items())]
    SIGNATURES.write_text("{\n" + ",\n".join(lines) + "\n}\n")
    failed = []
    for module, table in TABLES.items():
        arrays = {}
        for case in table.CASES:
            if not case.fixture:
                continue
            args, kwargs = case.arguments()
            op = keras_op(module, case.op.split(".", 1)[1])
            try:
                kwargs = {k: as_keras(v) for k, v in kwargs.items()}
                outputs = keras_outputs(op(*as_keras(args), **kwargs))
            except Exception as error:  # a case Keras cannot run must say so in its table
                failed.append(f"{case.key}: {type(error).__name__}: {error}")
                continue
            for i, out in enumerate(outputs):
                arrays[f"{case.key}::{i}"] = out
        np.savez_compressed(fixture_file(module), **pack(arrays))
        size = fixture_file(module).stat().st_size
        print(f"{module}: {len(arrays)} arrays, {size / 1024:.1f} KiB")
    if failed:
        sys.exit("Keras failed on cases marked fixture=True:\n" + "\n".join(failed))


if __name__ == "__main__":
    main()
