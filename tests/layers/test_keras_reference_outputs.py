"""Keras's own weights load into strata's layers and give Keras's outputs.

The fixtures come from tools/keras_fixtures/attention_layers.py (Keras 3.15, torch backend): for
each case, the constructor and call arguments, Keras's weights in `get_weights()` order, the
inputs and Keras's outputs. The strata layer is built from the same arguments, takes the weights
through `set_weights`, and must give the same outputs and parameter count.
"""

import json
from pathlib import Path

import numpy as np
import pytest
import torch

import strata

FIXTURES = Path(__file__).parent / "fixtures"


def _cases():
    found = []
    for path in sorted(FIXTURES.glob("*.npz")):
        with np.load(path) as archive:
            if {"class_name", "kwargs", "call_kwargs"} <= set(archive.files):
                found.append(path)
    return found


def _indexed(archive, prefix):
    count = sum(1 for k in archive.files if k.startswith(prefix))
    return [archive[f"{prefix}{i}"] for i in range(count)]


def run_case(path):
    """(strata's outputs, Keras's outputs, the layer, the archive) for one fixture."""
    archive = np.load(path)
    cls = getattr(strata.layers, str(archive["class_name"]))
    kwargs = json.loads(str(archive["kwargs"]))
    if isinstance(kwargs.get("layer"), dict):  # a wrapper: the wrapped layer, made the same way
        inner = kwargs["layer"]
        kwargs["layer"] = getattr(strata.layers, inner["class_name"])(**inner["config"])
    layer = cls(**kwargs)
    call_kwargs = json.loads(str(archive["call_kwargs"]))
    call_kwargs.update(
        {
            k[len("kwarg_") :]: torch.from_numpy(archive[k])
            for k in archive.files
            if k.startswith("kwarg_")
        }
    )
    for key in sorted(k for k in archive.files if k.startswith("listkwarg_")):
        name = key[len("listkwarg_") :].rsplit("_", 1)[0]
        call_kwargs.setdefault(name, []).append(torch.from_numpy(archive[key]))
    inputs = [torch.from_numpy(x) for x in _indexed(archive, "input_")]
    args = [inputs] if bool(archive["list_input"]) else inputs
    layer(*args, **call_kwargs)  # builds
    layer.set_weights(_indexed(archive, "weight_"))
    with torch.no_grad():
        outputs = layer(*args, **call_kwargs)
    outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    return outputs, _indexed(archive, "output_"), layer, archive


@pytest.mark.parametrize("path", _cases(), ids=lambda p: p.stem)
def test_keras_weights_give_keras_outputs(path):
    outputs, expected, layer, archive = run_case(path)
    assert len(outputs) == len(expected)
    # False only where Keras's output is a Keras defect (see the generator).
    if "compare_outputs" not in archive.files or bool(archive["compare_outputs"]):
        for got, want in zip(outputs, expected):
            np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-4, atol=1e-5)
    assert layer.count_params() == int(archive["param_count"])
    shapes = [w.shape for w in layer.get_weights()]
    assert shapes == [w.shape for w in _indexed(archive, "weight_")]
    for got, want in zip(layer.get_weights(), _indexed(archive, "after_")):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_a_wrong_weight_changes_the_output():
    """The comparison can fail: a perturbed weight moves the output away from Keras's."""
    path = FIXTURES / "einsum_dense_3d.npz"
    outputs, expected, layer, _ = run_case(path)
    weights = layer.get_weights()
    weights[0] = weights[0] + 0.1
    layer.set_weights(weights)
    archive = np.load(path)
    moved = layer(torch.from_numpy(archive["input_0"])).detach().numpy()
    assert not np.allclose(moved, expected[0], atol=1e-3)
