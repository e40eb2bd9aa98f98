"""The Example sections of the core, merging and reshaping layers run as written."""

import doctest
import importlib
import pkgutil

import pytest

import strata.layers.core
import strata.layers.merging
import strata.layers.reshaping

_SKIP = {"dense", "input_layer"}  # examples owned and tested elsewhere


def _modules():
    found = []
    for package in (strata.layers.core, strata.layers.merging, strata.layers.reshaping):
        for info in pkgutil.iter_modules(package.__path__):
            if not info.name.startswith("_") and info.name not in _SKIP:
                found.append(importlib.import_module(f"{package.__name__}.{info.name}"))
    return found


@pytest.mark.parametrize("module", _modules(), ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 or module.__name__.endswith("base_merge")
    assert result.failed == 0
