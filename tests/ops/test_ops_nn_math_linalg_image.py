"""Generated differential tests of `strata.ops.nn`, `math`, `linalg` and `image`, over every name
of Keras's modules.

Every op has argument builders in cases_<module>.py; each case is compared with Keras 3.15.1's
output (fixtures/ops_<module>.npz, recorded by tools/keras_fixtures/ops_nn_math_linalg_image.py)
and/or a NumPy/SciPy reference or an invariant check.
"""

import importlib

import pytest
from ops import cases_image, cases_linalg, cases_math, cases_nn
from ops.harness import (
    all_cases,
    index,
    keras_names,
    keras_signatures,
    load_fixtures,
    run_case,
    run_with_tensors,
    signature,
)

import strata.ops

CASES = {"nn": cases_nn, "math": cases_math, "linalg": cases_linalg, "image": cases_image}
MODULES = list(CASES)
NAMESPACES = {m: importlib.import_module(f"strata.ops.{m}") for m in MODULES}
BY_OP = {m: index(CASES[m].CASES) for m in MODULES}
FIXTURES = {m: load_fixtures(m) for m in MODULES}
ALL = [(m, case) for m in MODULES for case in all_cases(BY_OP[m])]

per_module = pytest.mark.parametrize("module", MODULES)


@per_module
def test_every_keras_name_is_present(module):
    missing = [n for n in keras_names(module) if not hasattr(NAMESPACES[module], n)]
    assert missing == [], f"strata.ops.{module} lacks Keras's {missing}"


@per_module
def test_public_names_are_exactly_keras_names(module):
    assert sorted(NAMESPACES[module].__all__) == keras_names(module)


@per_module
def test_signatures_match_keras(module):
    """Parameter names, kinds and defaults are Keras's, op by op."""
    recorded = keras_signatures(f"{module}.")
    assert sorted(recorded) == keras_names(module)
    differ = {n: signature(getattr(NAMESPACES[module], n)) for n in recorded}
    differ = {n: s for n, s in differ.items() if s != recorded[n]}
    assert differ == {}


@per_module
def test_every_keras_name_has_cases(module):
    assert sorted(set(keras_names(module)) - set(BY_OP[module])) == []
    assert sorted(set(BY_OP[module]) - set(keras_names(module))) == []


@per_module
def test_every_op_is_a_keras_op(module):
    """Each op carries the `keras_op` decorator (its `eager` function, symbolic dispatch)."""
    namespace = NAMESPACES[module]
    assert [n for n in namespace.__all__ if not hasattr(getattr(namespace, n), "eager")] == []


@per_module
def test_fixtures_cover_exactly_the_fixture_cases(module):
    recorded = {key.rsplit("::", 1)[0] for key in FIXTURES[module]}
    wanted = {case.key for case in all_cases(BY_OP[module]) if case.fixture}
    assert recorded == wanted


@per_module
def test_top_level_ops_are_keras_s(module):
    """Keras exports every nn/math/linalg name as `keras.ops.<name>` too (math has no public
    module of its own); as in Keras, `ops.image.resize` has no `ops.resize` (nor any other
    image name)."""
    at_top = [n for n in keras_names(module) if hasattr(strata.ops, n)]
    assert at_top == ([] if module == "image" else keras_names(module))


@pytest.mark.parametrize(("module", "case"), ALL, ids=lambda v: getattr(v, "key", v))
def test_op_matches_keras_and_references(module, case):
    run_case(case, NAMESPACES[module], FIXTURES[module])


@pytest.mark.parametrize(("module", "case"), ALL, ids=lambda v: getattr(v, "key", v))
def test_tensor_inputs_match_array_inputs(module, case):
    run_with_tensors(case, NAMESPACES[module])
