"""Record Keras's `keras.backend.result_type` for every pair of dtypes (and Python int/float).

    KERAS_BACKEND=torch /work/kerasenv/bin/python tools/keras_fixtures/ops_dtypes.py

Writes tests/ops/fixtures/result_type.json: {"a|b": result or "error"}.
"""

import itertools
import json
import os

import keras

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DTYPES = [
    "bool",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "bfloat16",
    "float16",
    "float32",
    "float64",
    "int",
    "float",
]
PYTHON = {"int": int, "float": float}


def main():
    table = {}
    for a in DTYPES:
        table[a] = keras.backend.result_type(PYTHON.get(a, a))
    for a, b in itertools.product(DTYPES, DTYPES):
        try:
            table[f"{a}|{b}"] = keras.backend.result_type(PYTHON.get(a, a), PYTHON.get(b, b))
        except ValueError:
            table[f"{a}|{b}"] = "error"
    checks = {
        f"{name}|{d}": getattr(keras.backend, name)(d)
        for name in ("is_float_dtype", "is_int_dtype")
        for d in DTYPES[:10]
    }
    out = os.path.join(ROOT, "tests", "ops", "fixtures", "result_type.json")
    with open(out, "w") as handle:
        json.dump({"result_type": table, "predicates": checks}, handle, indent=0, sort_keys=True)
    print(f"wrote {out}: {len(table)} result types")


if __name__ == "__main__":
    main()
