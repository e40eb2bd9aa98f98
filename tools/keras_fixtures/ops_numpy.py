"""Record Keras's results for every case of tests/ops/op_cases.py (values and result dtypes).

Run with Keras 3 on its torch backend (never needed by the tests themselves):

    KERAS_BACKEND=torch /work/kerasenv/bin/python tools/keras_fixtures/ops_numpy.py

Writes tests/ops/fixtures/ops_numpy.npz. A case that Keras rejects is recorded as an error string.
"""

import inspect
import json
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "ops"))

import keras  # noqa: E402
import torch  # noqa: E402
from op_cases import CASES, pack_fixture, result_leaves  # noqa: E402


def to_numpy(value):
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu()
        if value.dtype == torch.bfloat16:
            value = value.float()
        return value.numpy()
    return None


def main():
    records = {}
    for name, cases in CASES.items():
        op = getattr(keras.ops, name)
        for number, case in enumerate(cases):
            key = f"{name}:{number}"
            try:
                result = op(*case.args, **case.kwargs)
                if case.then is not None:
                    result = result(*case.then)
                records[key] = result_leaves(result, to_numpy)
            except Exception as error:  # recorded: the test expects strata to reject it too
                records[key] = f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
    # Keras's public signatures (argument names and defaults) of every name in the table.
    signatures = {name: str(inspect.signature(getattr(keras.ops, name))) for name in CASES}
    out = os.path.join(ROOT, "tests", "ops", "fixtures", "ops_numpy.npz")
    np.savez_compressed(out, signatures=np.array(json.dumps(signatures)), **pack_fixture(records))
    errors = sorted(k for k, v in records.items() if isinstance(v, str))
    print(f"wrote {out}: {len(records)} cases, {len(errors)} rejected by Keras")
    for key in errors:
        print("  ", key, records[key])


if __name__ == "__main__":
    main()
