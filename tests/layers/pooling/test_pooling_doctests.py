import doctest
import importlib
import pkgutil

import pytest

import strata.layers.pooling as pooling

MODULES = [
    importlib.import_module(f"{pooling.__name__}.{info.name}")
    for info in pkgutil.iter_modules(pooling.__path__)
]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    if not module.__name__.rsplit(".", 1)[-1].startswith("base_"):
        assert result.attempted > 0, f"{module.__name__} has no docstring example"
    assert result.failed == 0
