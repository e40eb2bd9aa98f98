"""The examples in strata.ops's docstrings run."""

import doctest

import pytest

from strata.backend import dtypes as backend_dtypes
from strata.layers.core import op_layer
from strata.ops import (
    core,
    einops,
    numpy,
    numpy_create,
    numpy_elementwise,
    numpy_index,
    numpy_linalg,
    numpy_reduce,
    numpy_shape,
    numpy_stats,
)

MODULES = [
    backend_dtypes,
    op_layer,
    core,
    einops,
    numpy,
    numpy_create,
    numpy_elementwise,
    numpy_index,
    numpy_linalg,
    numpy_reduce,
    numpy_shape,
    numpy_stats,
]


@pytest.mark.parametrize("module", MODULES, ids=[m.__name__ for m in MODULES])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
