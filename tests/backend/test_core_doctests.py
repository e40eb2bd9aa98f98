"""The Example sections of the variable, scope, tree, config and utils modules run as written."""

import doctest
import importlib

import pytest

_MODULES = [
    "strata.backend.variables",
    "strata.backend.name_scope",
    "strata.backend.naming",
    "strata.tree.tree_api",
    "strata.config",
    "strata.layers.input_spec",
    "strata.models.serialization",
    "strata.metrics.metric",
    "strata.utils.config_utils",
    "strata.utils.progbar",
]


@pytest.mark.parametrize("name", _MODULES)
def test_docstring_examples_run(name):
    import strata

    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    strata.config.set_dtype_policy(None)
    assert result.attempted > 0
    assert result.failed == 0
