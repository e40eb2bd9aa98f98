"""Keras's dtype promotion: `strata.backend.result_type` against Keras's recorded table, the
dtype predicates, and strata's ops keeping 64-bit inputs in 64 bits."""

import json
import os

import numpy as np
import pytest
import torch

from strata import backend, ops
from strata.ops import dtypes

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "result_type.json")
with open(FIXTURE) as handle:
    KERAS = json.load(handle)
PYTHON = {"int": int, "float": float}


def _parse(name):
    return PYTHON.get(name, name)


@pytest.mark.parametrize("key", sorted(KERAS["result_type"]))
def test_result_type_matches_keras(key):
    names = [_parse(n) for n in key.split("|")]
    expected = KERAS["result_type"][key]
    if expected == "error":
        with pytest.raises(ValueError):
            backend.result_type(*names)
    else:
        assert backend.result_type(*names) == expected


@pytest.mark.parametrize("key", sorted(KERAS["predicates"]))
def test_dtype_predicates_match_keras(key):
    name, dtype = key.split("|")
    assert getattr(backend, name)(dtype) is KERAS["predicates"][key]


def test_ops_dtypes_module_reexports_the_backend_functions():
    assert dtypes.result_type is backend.result_type
    assert dtypes.standardize_dtype("int") == "int32"
    assert dtypes.standardize_dtype(torch.float16) == "float16"
    assert dtypes.standardize_dtype(np.dtype("uint8")) == "uint8"
    assert backend.result_type() == backend.floatx()


def test_torch_dtypes_and_numpy_dtypes_are_accepted():
    assert backend.result_type(torch.int8, np.float16) == "float16"


def test_ops_keep_64_bit_inputs_in_64_bits():
    # A documented difference: Keras's torch backend narrows some of these to 32 bits.
    x64 = np.ones((2, 3), dtype="float64")
    i64 = np.ones((2, 3), dtype="int64")
    assert ops.add(x64, 1.0).dtype == torch.float64
    assert ops.matmul(x64, x64.T).dtype == torch.float64
    assert ops.var(x64).dtype == torch.float64
    assert ops.maximum(x64, 1.0).dtype == torch.float64
    assert ops.add(i64, 1).dtype == torch.int64
    assert ops.mean(i64).dtype == torch.float32  # ints still average in floatx


def test_float16_stays_float16_with_python_numbers():
    x = torch.ones(3, dtype=torch.float16)
    assert ops.multiply(x, 2.5).dtype == torch.float16
    assert ops.add(torch.ones(3, dtype=torch.int8), 1).dtype == torch.int8
