import doctest
import importlib
import pkgutil

import pytest

import strata.layers.preprocessing as preprocessing

MODULES = [
    importlib.import_module(f"{preprocessing.__name__}.{info.name}")
    for info in pkgutil.iter_modules(preprocessing.__path__)
    if not info.name.startswith("_")
]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{module.__name__} has no docstring example"
    assert result.failed == 0
