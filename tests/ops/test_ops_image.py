"""Generated differential tests of `strata.ops.image` over every name of Keras's module.

Every op has argument builders in cases_image.py; each case is compared with Keras 3.15.1's output
(fixtures/ops_image.npz, recorded by tools/keras_fixtures/ops_nn_math_linalg_image.py) and/or a
NumPy/SciPy reference or an invariant check.
"""

import pytest
from ops import cases_image
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

import strata.ops.image as namespace

MODULE = "image"
BY_OP = index(cases_image.CASES)
FIXTURES = load_fixtures(MODULE)


def test_every_keras_name_is_present():
    missing = [n for n in keras_names(MODULE) if not hasattr(namespace, n)]
    assert missing == [], f"strata.ops.{MODULE} lacks Keras's {missing}"


def test_public_names_are_exactly_keras_names():
    assert sorted(namespace.__all__) == keras_names(MODULE)


def test_signatures_match_keras():
    """Parameter names, kinds and defaults are Keras's, op by op."""
    recorded = keras_signatures(f"{MODULE}.")
    assert sorted(recorded) == keras_names(MODULE)
    differ = {n: signature(getattr(namespace, n)) for n in recorded}
    differ = {n: s for n, s in differ.items() if s != recorded[n]}
    assert differ == {}


def test_every_keras_name_has_cases():
    assert sorted(set(keras_names(MODULE)) - set(BY_OP)) == []
    assert sorted(set(BY_OP) - set(keras_names(MODULE))) == []


def test_every_op_is_a_keras_op():
    """Each op carries the `keras_op` decorator (its `eager` function, symbolic dispatch)."""
    assert [n for n in namespace.__all__ if not hasattr(getattr(namespace, n), "eager")] == []


def test_fixtures_cover_exactly_the_fixture_cases():
    recorded = {key.rsplit("::", 1)[0] for key in FIXTURES}
    wanted = {case.key for case in all_cases(BY_OP) if case.fixture}
    assert recorded == wanted


def test_no_image_name_leaks_to_ops_top_level():
    """As in Keras, `ops.image.resize` has no `ops.resize` (nor any other image name)."""
    import strata.ops

    assert [n for n in keras_names(MODULE) if hasattr(strata.ops, n)] == []


@pytest.mark.parametrize("case", all_cases(BY_OP), ids=lambda case: case.key)
def test_op_matches_keras_and_references(case):
    run_case(case, namespace, FIXTURES)


@pytest.mark.parametrize("case", all_cases(BY_OP), ids=lambda case: case.key)
def test_tensor_inputs_match_array_inputs(case):
    run_with_tensors(case, namespace)
