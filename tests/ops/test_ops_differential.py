"""Every name of Keras's `ops.numpy` and `ops.core`, run on the generated cases of op_cases.py
and compared with Keras's recorded results (values and dtypes, fixtures/ops_numpy.npz) and with
the NumPy function of the same name where there is one."""

import inspect
import json
import os

import numpy as np
import pytest
import torch
from op_cases import CASES, NOT_LIKE_NUMPY, result_leaves, unpack_fixture

from strata import ops

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "ops_numpy.npz")
_DATA = np.load(FIXTURE)
KERAS = unpack_fixture(_DATA)
KERAS_SIGNATURES = json.loads(str(_DATA["signatures"]))

# Cases Keras's torch backend rejects but strata accepts, with NumPy's answer as the reference.
KERAS_TORCH_GAPS = {
    "concatenate:2": "axis=None flattens, as in NumPy",
    "empty:1": "an int shape, as in NumPy",
    "repeat:2": "per-element repeats given as a list",
    "stop_gradient:0": "NumPy input",
    "unstack:0": "NumPy input",
    "unstack:1": "NumPy input",
    "vectorized_map:0": "NumPy input",
    "pad:4": "mode='edge' on a 2-D input",
    "pad:6": "mode='wrap' on a 2-D input",
    "pad:9": "mode='edge' on a 3-D input",
    "vdot:1": "2-D inputs are flattened, as in NumPy",
    "imag:0": "real inputs give zeros, as in NumPy",
    "imag:1": "real inputs give zeros, as in NumPy",
    "imag:2": "real inputs give zeros, as in NumPy",
    "imag:3": "real inputs give zeros, as in NumPy",
    "imag:4": "real inputs give zeros, as in NumPy",
}
# The NumPy reference of gap cases whose name has no NumPy twin.
NUMPY_STAND_INS = {
    "stop_gradient": lambda x: x,
    "unstack": lambda x, axis=0: list(np.moveaxis(x, axis, 0)),
    "vectorized_map": lambda function, x: x * x,
}

# Cases where Keras's torch backend departs from its own documentation and NumPy; strata follows
# the documentation, and NumPy is the reference.
KERAS_TORCH_DEPARTURES = {
    "pad:0": "an int pad_width pads every axis (Keras's torch backend pads only the last)",
    "pad:2": "an int pad_width pads every axis (Keras's torch backend pads only the last)",
    "pad:5": "an int pad_width pads every axis (Keras's torch backend pads only the last)",
    "pad:7": "mode='symmetric' repeats the edge element (Keras's torch backend replicates it)",
    # Python floats are weak, as in add and multiply: float16 stays float16 (Keras's torch
    # backend loses the weakness in these five and gives float32).
    **{
        f"{name}:12": "float16 with a Python float stays float16"
        for name in ("arctan2", "hypot", "logaddexp", "logaddexp2", "heaviside")
    },
}
# Where Keras's result dtype is of another kind than NumPy's (values are still compared).
KIND_DIFFERS_FROM_NUMPY = {
    "ceil": "Keras gives floats for ints and bools",
    "floor": "Keras gives floats for ints and bools",
    "reciprocal": "Keras gives floats for ints (NumPy divides in ints)",
    "conj": "bools stay bools (NumPy gives int8)",
    "conjugate": "bools stay bools (NumPy gives int8)",
    "full": "without a dtype Keras fills floatx whatever the fill value",
    "heaviside": "bools stay bools",
}

ALL_CASES = [(name, i, case) for name, cases in CASES.items() for i, case in enumerate(cases)]
IDS = [f"{name}:{i}{'-' + case.label if case.label else ''}" for name, i, case in ALL_CASES]


def to_numpy(value):
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu()
        return value.float().numpy() if value.dtype == torch.bfloat16 else value.numpy()
    return None


def run(name, case):
    result = getattr(ops, name)(*case.args, **case.kwargs)
    return result(*case.then) if case.then is not None else result


def assert_leaves_match(ours, reference, compare_values, what):
    assert len(ours) == len(reference), f"{what}: {len(ours)} outputs, expected {len(reference)}"
    for k, (mine, theirs) in enumerate(zip(ours, reference)):
        if theirs[0] == "py" or mine[0] == "py":
            mine_value = mine[1] if mine[0] == "py" else mine[2].tolist()
            theirs_value = theirs[1] if theirs[0] == "py" else theirs[2].tolist()
            assert mine_value == pytest.approx(theirs_value), f"{what} output {k}"
            continue
        assert mine[1] == theirs[1], f"{what} output {k}: dtype {mine[1]}, expected {theirs[1]}"
        assert mine[2].shape == theirs[2].shape, f"{what} output {k}: shape"
        if compare_values:
            np.testing.assert_allclose(
                mine[2].astype("float64"),
                theirs[2],
                rtol=1e-5,
                atol=1e-6,
                equal_nan=True,
                err_msg=f"{what} output {k}",
            )


@pytest.mark.parametrize("name,number,case", ALL_CASES, ids=IDS)
def test_matches_keras(name, number, case):
    key = f"{name}:{number}"
    reference = KERAS[key]
    if isinstance(reference, str) and key not in KERAS_TORCH_GAPS:
        with pytest.raises(Exception):  # noqa: B017 - Keras raised some error too
            run(name, case)
        return
    if key in KERAS_TORCH_DEPARTURES or isinstance(reference, str):
        reference = _numpy_leaves(name, case)  # NumPy's answer instead
        compare_dtypes = False
    else:
        compare_dtypes = True
    ours = result_leaves(run(name, case), to_numpy)
    if not compare_dtypes:
        ours = [(leaf[0], "-", *leaf[2:]) if leaf[0] == "array" else leaf for leaf in ours]
        reference = [
            (leaf[0], "-", *leaf[2:]) if leaf[0] == "array" else leaf for leaf in reference
        ]
    assert_leaves_match(ours, reference, case.values, key)


def _numpy_leaves(name, case):
    function = NUMPY_STAND_INS.get(name) or getattr(np, name)
    result = function(*case.args, **case.kwargs)
    return [
        ("array", str(np.asarray(leaf[1]).dtype), np.asarray(leaf[1])) if leaf[0] == "py" else leaf
        for leaf in result_leaves(result, lambda v: None)
    ]


def _numpy_reference(name, case):
    function = getattr(np, name)
    args = [np.asarray(a) if isinstance(a, np.ndarray) else a for a in case.args]
    return function(*args, **case.kwargs)


NUMPY_CASES = [
    (name, i, case)
    for name, i, case in ALL_CASES
    if hasattr(np, name)
    and callable(getattr(np, name))
    and name not in NOT_LIKE_NUMPY
    and case.values
    and case.then is None
    and not isinstance(KERAS[f"{name}:{i}"], str)  # Keras rejects it: checked above
]


def _kind(dtype_name):
    dtype = np.dtype(dtype_name) if dtype_name != "bfloat16" else np.dtype("float32")
    return {"u": "i"}.get(dtype.kind, dtype.kind)


@pytest.mark.parametrize(
    "name,number,case", NUMPY_CASES, ids=[f"{n}:{i}" for n, i, _ in NUMPY_CASES]
)
def test_matches_numpy(name, number, case):
    try:
        expected = _numpy_reference(name, case)
    except (TypeError, ValueError) as error:  # NumPy has no such argument combination
        pytest.skip(f"NumPy rejects this case: {error}")
    reference = [
        ("array", str(np.asarray(leaf[1]).dtype), np.asarray(leaf[1]))
        if leaf[0] == "py" and not isinstance(leaf[1], (list, str))
        else leaf
        for leaf in result_leaves(expected, lambda v: None)
    ]
    ours = result_leaves(run(name, case), to_numpy)
    assert len(ours) == len(reference)
    for mine, theirs in zip(ours, reference):
        if theirs[0] == "py" or mine[0] == "py":
            continue
        if name in KIND_DIFFERS_FROM_NUMPY and _kind(mine[1]) != _kind(theirs[1]):
            continue  # e.g. NumPy's reciprocal of ints divides in ints
        # Half precision (NumPy also computes functions of bools in float16): its tolerance.
        half = np.float16 in (theirs[2].dtype, np.dtype(mine[1] if mine[1] != "bfloat16" else "f4"))
        rtol, atol = (5e-3, 2e-3) if half else (1e-4, 1e-5)
        np.testing.assert_allclose(
            mine[2].astype("float64"),
            theirs[2].astype("float64"),
            rtol=rtol,
            atol=atol,
            equal_nan=True,
        )
        if name not in KIND_DIFFERS_FROM_NUMPY:
            assert _kind(mine[1]) == _kind(theirs[1]), f"dtype {mine[1]} vs NumPy's {theirs[1]}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_signature_is_keras(name):
    ours = str(inspect.signature(getattr(ops, name)))
    assert ours == KERAS_SIGNATURES[name]


def test_every_fixture_case_is_in_the_table():
    assert set(KERAS) == {f"{name}:{i}" for name, i, _ in ALL_CASES}
