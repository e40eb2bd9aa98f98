import doctest
import importlib
import pkgutil

import pytest

import strata.layers.convolutional as convolutional
from strata.ops import conv_utils

MODULES = [conv_utils] + [
    importlib.import_module(f"{convolutional.__name__}.{info.name}")
    for info in pkgutil.iter_modules(convolutional.__path__)
]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    if not module.__name__.rsplit(".", 1)[-1].startswith("base_"):
        assert result.attempted > 0, f"{module.__name__} has no docstring example"
    assert result.failed == 0
