"""Every public name of Keras 3.15.1's `keras.ops.numpy` and `keras.ops` core is in strata.ops,
and the table of differential cases covers each of them."""

import json
import os

from op_cases import CASES

from strata import ops

API = os.path.join(os.path.dirname(__file__), "..", "compat", "keras_3_15_api.json")
# keras.ops's names that come from keras.src.ops.core (the JSON lists keras.ops flat).
CORE_NAMES = [
    "associative_scan",
    "cast",
    "cond",
    "convert_to_numpy",
    "convert_to_tensor",
    "custom_gradient",
    "dtype",
    "fori_loop",
    "is_tensor",
    "map",
    "saturate_cast",
    "scan",
    "scatter",
    "scatter_update",
    "shape",
    "slice",
    "slice_update",
    "stop_gradient",
    "switch",
    "unstack",
    "vectorized_map",
    "while_loop",
]


def _keras_numpy_names():
    with open(API) as handle:
        names = json.load(handle)["names"]
    return sorted(n.rsplit(".", 1)[1] for n in names if n.startswith("keras.ops.numpy."))


def test_the_api_list_has_the_numpy_namespace():
    assert len(_keras_numpy_names()) == 220


def test_every_keras_numpy_name_is_in_strata_ops_numpy():
    missing = [n for n in _keras_numpy_names() if not hasattr(ops.numpy, n)]
    assert not missing, f"strata.ops.numpy lacks {missing}"


def test_every_keras_numpy_name_is_in_strata_ops():
    missing = [n for n in _keras_numpy_names() if not hasattr(ops, n)]
    assert not missing, f"strata.ops lacks {missing}"


def test_every_keras_core_name_is_in_strata_ops():
    with open(API) as handle:
        names = json.load(handle)["names"]
    assert all(f"keras.ops.{n}" in names for n in CORE_NAMES)
    missing = [n for n in CORE_NAMES if not hasattr(ops.core, n) or not hasattr(ops, n)]
    assert not missing, f"strata.ops.core lacks {missing}"


# Names tested elsewhere, with the reason.
DEDICATED = {
    "custom_gradient": "test_ops_gradients.py: its result is a gradient, not a value",
}


def test_every_name_has_differential_cases():
    names = _keras_numpy_names() + CORE_NAMES
    uncovered = [n for n in names if not CASES.get(n) and n not in DEDICATED]
    assert not uncovered, f"no cases in op_cases.py for {uncovered}"


def test_ops_numpy_exports_only_its_names():
    assert sorted(ops.numpy.__all__) == _keras_numpy_names()
    assert sorted(ops.core.__all__) == sorted(CORE_NAMES)


def test_rearrange_from_keras_ops_einops_is_in_strata_ops():
    with open(API) as handle:
        assert "keras.ops.rearrange" in json.load(handle)["names"]
    assert callable(ops.rearrange) and CASES.get("rearrange")
