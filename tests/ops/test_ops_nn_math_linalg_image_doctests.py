"""The docstring examples of the nn, math, linalg and image ops and of strata.random run."""

import doctest
import importlib

import pytest

MODULES = [
    "strata.ops._nn_activations",
    "strata.ops._nn_conv",
    "strata.ops._nn_losses",
    "strata.ops._nn_norm",
    "strata.ops.math",
    "strata.ops.linalg",
    "strata.ops._image_basic",
    "strata.ops._image_filters",
    "strata.ops._image_geometry",
    "strata.random.random",
    "strata.random.seed_generator",
]


@pytest.mark.parametrize("name", MODULES, ids=lambda n: n.rsplit(".", 1)[-1])
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no docstring example"
    assert result.failed == 0


@pytest.mark.parametrize("name", MODULES, ids=lambda n: n.rsplit(".", 1)[-1])
def test_every_public_function_has_an_example(name):
    module = importlib.import_module(name)
    public = getattr(module, "__all__", None) or [
        n
        for n in dir(module)
        if callable(getattr(module, n))
        and not n.startswith("_")
        and getattr(getattr(module, n), "__module__", None) == name
    ]
    lacking = [n for n in public if ">>>" not in (getattr(module, n).__doc__ or "")]
    assert lacking == []
