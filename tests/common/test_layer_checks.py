"""Every exported layer passes every common check; a layer without a spec fails the suite."""

import importlib
import inspect
import pkgutil

import pytest
from common import specs as specs_package

import strata
from strata.testing import layer_checks

# Bases and wrappers that are exercised through other layers' specs or their own tests.
EXEMPT = {"Layer", "InputLayer", "Input"}
# Layers whose inputs or outputs are strings: torch has no string tensors, so they cannot stand
# behind a symbolic Input or inside a saved model, which most common checks need. Their own
# tests (tests/layers/preprocessing/) cover config round trips, determinism and Keras parity.
STRING_LAYERS = {
    "StringLookup": "maps NumPy string arrays (or, inverted, ids to strings) eagerly",
    "TextVectorization": "turns NumPy string arrays into ids or vectors eagerly",
}
EXEMPT |= set(STRING_LAYERS)


def _all_specs():
    found = []
    for module_info in pkgutil.iter_modules(specs_package.__path__):
        module = importlib.import_module(f"{specs_package.__name__}.{module_info.name}")
        found += getattr(module, "SPECS", [])
    return found


SPECS = _all_specs()


def test_every_exported_layer_has_a_spec():
    exported = {
        name
        for name in strata.layers.__all__
        if inspect.isclass(getattr(strata.layers, name))
        and issubclass(getattr(strata.layers, name), strata.layers.Layer)
    }
    # Keras's aliases (MaxPool2D for MaxPooling2D) are the same class: one spec covers both.
    # A spec may test the class itself or a same-named test subclass (cells return nested
    # outputs, which a thin subclass flattens).
    covered = {spec.layer_cls for spec in SPECS}
    covered_names = {spec.layer_cls.__name__ for spec in SPECS}
    missing = sorted(
        name
        for name in exported - EXEMPT
        if getattr(strata.layers, name) not in covered
        and getattr(strata.layers, name).__name__ not in covered_names
    )
    assert not missing, f"exported layers without a spec in tests/common/specs: {missing}"


@pytest.mark.parametrize("check", layer_checks.ALL_CHECKS, ids=lambda c: c.__name__[6:])
@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_layer_check(spec, check):
    check(spec)
