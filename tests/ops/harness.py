"""The differential-test machinery of the nn, math, linalg and image ops.

Each op has `Case`s: a builder of arguments (from a NumPy generator seeded by the case's key,
so the fixture script and the tests build the same inputs), whether Keras's output was recorded
as a fixture, and optionally a NumPy/SciPy reference. The recorder is
`tools/keras_fixtures/ops_nn_math_linalg_image.py`; it imports these same tables.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

FIXTURES = Path(__file__).resolve().parent / "fixtures"
API_LIST = Path(__file__).resolve().parents[1] / "compat" / "keras_3_15_api.json"
MATH_NAMES = FIXTURES / "keras_ops_math_names.json"
SIGNATURES = FIXTURES / "keras_op_signatures.json"


@dataclass
class Case:
    """One call of one op.

    Args:
        op: `"<module>.<name>"`, e.g. `"nn.conv"`.
        id: a short name, unique per op.
        build: `rng -> (args, kwargs)`.
        fixture: whether Keras's output is recorded (False needs `why`).
        reference: `(*args, **kwargs) -> output(s)` computed with NumPy/SciPy.
        check: `(outputs, args, kwargs) -> None` for invariants (used instead of exact
            comparisons where results are unique only up to signs or order).
        why: the reason there is no fixture.
    """

    op: str
    id: str
    build: object
    fixture: bool = True
    reference: object = None
    check: object = None
    rtol: float = 1e-5
    atol: float = 1e-5
    why: str = ""

    @property
    def key(self) -> str:
        return f"{self.op}.{self.id}"

    def arguments(self):
        rng = np.random.RandomState(zlib.crc32(self.key.encode()))
        return self.build(rng)


def outputs_as_numpy(value) -> list:
    """An op's result as a list of NumPy arrays (tuples, named tuples and single tensors)."""
    if isinstance(value, (tuple, list)):
        return [a for v in value for a in outputs_as_numpy(v)]
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu()
        if value.is_sparse:
            value = value.to_dense()
        if value.dtype == torch.bfloat16:
            value = value.float()
        return [value.numpy()]
    return [np.asarray(value)]


def fixture_file(module: str) -> Path:
    return FIXTURES / f"ops_{module}.npz"


def pack(arrays: dict) -> dict:
    """Many small arrays as one flat array per dtype plus a JSON index (a few zip members
    instead of one per array keeps the fixture files small)."""
    flat, index = {}, {}
    for key, array in arrays.items():
        array = np.array(array, order="C")  # (ascontiguousarray would make 0-d arrays 1-d)
        name = array.dtype.str.replace("<", "").replace("|", "")
        offset = sum(a.size for a in flat.get(name, []))
        flat.setdefault(name, []).append(array.reshape(-1))
        index[key] = [name, offset, list(array.shape)]
    packed = {f"values_{name}": np.concatenate(parts) for name, parts in flat.items()}
    packed["index"] = np.array(json.dumps(index, sort_keys=True))
    return packed


def load_fixtures(module: str) -> dict:
    """`{"<op>.<case>::<i>": array}` of one module's fixture file (empty if absent)."""
    path = fixture_file(module)
    if not path.exists():
        return {}
    with np.load(path, allow_pickle=False) as data:
        index = json.loads(str(data["index"]))
        values = {k[len("values_") :]: data[k] for k in data.files if k.startswith("values_")}
    result = {}
    for key, (name, offset, shape) in index.items():
        size = int(np.prod(shape))
        result[key] = values[name][offset : offset + size].reshape(shape)
    return result


def keras_names(module: str) -> list[str]:
    """Keras 3.15.1's public names of `keras.ops.<module>` (math: Keras's `ops/math.py`)."""
    if module == "math":
        return json.loads(MATH_NAMES.read_text())
    names = json.loads(API_LIST.read_text())["names"]
    prefix = f"keras.ops.{module}."
    return sorted(k[len(prefix) :] for k in names if k.startswith(prefix))


def assert_close(actual, expected, rtol, atol, what, exact_dtype=False):
    actual, expected = np.asarray(actual), np.asarray(expected)
    if exact_dtype:
        assert actual.dtype == expected.dtype, (
            f"{what}: dtype {actual.dtype}, expected {expected.dtype}"
        )
    assert actual.shape == expected.shape, (
        f"{what}: shape {actual.shape}, expected {expected.shape}"
    )
    kinds = {"b": "bool", "i": "int", "u": "int", "f": "float", "c": "complex"}
    assert kinds[actual.dtype.kind] == kinds[expected.dtype.kind], (
        f"{what}: dtype {actual.dtype}, expected {expected.dtype}"
    )
    if actual.dtype.kind == "b":
        np.testing.assert_array_equal(actual, expected, err_msg=what)
    else:
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=what)


def run_case(case: Case, namespace, fixtures: dict):
    """Run one case against its fixture, its reference and its invariant check."""
    args, kwargs = case.arguments()
    op = getattr(namespace, case.op.split(".", 1)[1])
    outputs = outputs_as_numpy(op(*args, **kwargs))
    compared = False
    if case.fixture:
        expected = [fixtures[f"{case.key}::{i}"] for i in range(len(outputs))]
        assert f"{case.key}::{len(outputs)}" not in fixtures, f"{case.key}: too few outputs"
        for i, (a, e) in enumerate(zip(outputs, expected, strict=True)):
            what = f"{case.key} output {i} vs Keras"
            assert_close(a, e, case.rtol, case.atol, what, exact_dtype=True)
        compared = True
    if case.reference is not None:
        expected = outputs_as_numpy(case.reference(*args, **kwargs))
        assert len(expected) == len(outputs), f"{case.key}: {len(outputs)} outputs"
        for i, (a, e) in enumerate(zip(outputs, expected, strict=True)):
            assert_close(
                a,
                e.astype(a.dtype) if a.dtype.kind == e.dtype.kind else e,
                case.rtol,
                case.atol,
                f"{case.key} output {i} vs NumPy/SciPy",
            )
        compared = True
    if case.check is not None:
        case.check(outputs, args, kwargs)
        compared = True
    assert compared, f"{case.key} compares against nothing"


def index(cases) -> dict:
    """`{op name: [cases]}`; duplicate keys are an error."""
    by_op, seen = {}, set()
    for case in cases:
        assert case.key not in seen, f"duplicate case {case.key}"
        assert case.fixture or case.why, f"{case.key} has no fixture and no reason"
        seen.add(case.key)
        by_op.setdefault(case.op.split(".", 1)[1], []).append(case)
    return by_op


def as_tensors(value):
    """NumPy arrays in (nested) arguments as torch tensors."""
    if isinstance(value, np.ndarray):
        return torch.from_numpy(value.copy())
    if isinstance(value, (tuple, list)):
        return type(value)(as_tensors(v) for v in value)
    if isinstance(value, dict):
        return {k: as_tensors(v) for k, v in value.items()}
    return value


def run_with_tensors(case: Case, namespace):
    """The op gives the same result on torch tensors as on the NumPy arrays."""
    args, kwargs = case.arguments()
    op = getattr(namespace, case.op.split(".", 1)[1])
    from_arrays = outputs_as_numpy(op(*args, **kwargs))
    from_tensors = outputs_as_numpy(op(*as_tensors(args), **as_tensors(kwargs)))
    for a, t in zip(from_arrays, from_tensors, strict=True):
        assert_close(t, a, 1e-6, 1e-6, f"{case.key} on tensors")


def all_cases(by_op) -> list:
    return [case for cases in by_op.values() for case in cases]


def signature(function) -> list:
    """`[name, kind, repr(default) or None]` per parameter, as the fixture script records."""
    import inspect

    target = function.__init__ if inspect.isclass(function) else function
    params = [p for p in inspect.signature(target).parameters.values() if p.name != "self"]
    return [
        [p.name, p.kind.name, None if p.default is p.empty else repr(p.default)] for p in params
    ]


def keras_signatures(prefix: str) -> dict:
    """Keras's recorded signatures whose key starts with `prefix` ("nn.", "random.")."""
    recorded = json.loads(SIGNATURES.read_text())
    return {k[len(prefix) :]: v for k, v in recorded.items() if k.startswith(prefix)}
