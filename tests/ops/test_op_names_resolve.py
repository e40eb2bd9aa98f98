"""Every op records a name that loads back to itself (what a saved OpLayer node stores), and ops
from each namespace work between layers of a functional model."""

import numpy as np
import pytest

import strata
from strata import layers, ops


def _all_ops():
    found = {}
    for namespace in ("numpy", "core", "nn", "math", "linalg", "image"):
        module = getattr(ops, namespace)
        for name in getattr(module, "__all__", dir(module)):
            op = getattr(module, name, None)
            if callable(op) and hasattr(op, "op_name"):
                found[f"{namespace}.{name}"] = op
    return found


def test_every_op_name_resolves_to_the_op():
    wrong = {}
    for where, op in _all_ops().items():
        namespace, name = op.op_name.split(".")
        if getattr(getattr(ops, namespace, None), name, None) is not op:
            wrong[where] = op.op_name
    assert not wrong, f"ops whose recorded name does not load back: {wrong}"


@pytest.mark.parametrize(
    "apply",
    [
        lambda x: ops.relu(x),  # ops.nn, defined in a private module
        lambda x: ops.image.resize(x[:, :, None, :], (4, 1))[:, :, 0, :],  # ops.image
        lambda x: ops.matmul(x, ops.transpose(x, (0, 2, 1))),  # ops.numpy
        lambda x: ops.logsumexp(x, axis=-1, keepdims=True),  # ops.math
    ],
    ids=["nn", "image", "numpy", "math"],
)
def test_ops_of_each_namespace_save_and_load_inside_a_model(tmp_path, apply):
    inputs = strata.Input((4, 3))
    outputs = layers.Flatten()(apply(layers.Dense(3)(inputs)))
    model = strata.Model(inputs, outputs)
    path = tmp_path / "ops.keras"
    model.save(path)
    loaded = strata.models.load_model(path)
    x = np.random.default_rng(0).random((2, 4, 3), dtype=np.float32)
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6
    )
