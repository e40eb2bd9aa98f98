"""clone_model: same architecture, fresh weights, optional clone_function and input_tensors."""

import numpy as np
import pytest
import saving_helpers as helpers
import torch

import strata
from strata import layers
from strata.models import Functional, clone_model

MAKERS = {
    "sequential": helpers.sequential_model,
    "multi_io": helpers.multi_io_model,
    "nested": helpers.nested_model,
}


def _shapes(outputs):
    return [tuple(o.shape) for o in helpers.flat_outputs(outputs)]


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_clone_has_same_config_and_fresh_weights(kind):
    model = MAKERS[kind]()
    clone = clone_model(model)
    assert type(clone) is type(model) and clone is not model
    config = helpers.without_build_configs(model.get_config())
    assert helpers.without_build_configs(clone.get_config()) == config
    assert all(a is not b for a, b in zip(clone.layers, model.layers, strict=True))
    before = [w.copy() for w in model.get_weights()]
    pairs = list(zip(model.get_weights(), clone.get_weights(), strict=True))
    assert all(a.shape == b.shape for a, b in pairs)
    kernels = [(a, b) for a, b in pairs if a.ndim == 2]
    assert kernels and not any(np.array_equal(a, b) for a, b in kernels)
    data = helpers.inputs_for(model)
    assert _shapes(clone(data)) == _shapes(model(data))
    clone.set_weights(model.get_weights())
    helpers.assert_same_outputs(model, clone, data)
    for a, b in zip(before, model.get_weights(), strict=True):  # the original is untouched
        np.testing.assert_array_equal(a, b)


def test_shared_layer_is_shared_in_the_clone():
    clone = clone_model(helpers.multi_io_model())
    assert len(clone.get_layer("shared")._inbound_nodes) == 2
    assert len(clone.get_weights()) == 6


def test_clone_function_is_applied_to_each_layer():
    model = helpers.multi_io_model()
    seen = []

    def swap_dense(layer):
        seen.append(layer.name)
        config = layer.get_config()
        if isinstance(layer, layers.Dense):
            config["use_bias"] = False
        return type(layer).from_config(config)

    clone = clone_model(model, clone_function=swap_dense)
    expected = [l.name for l in model.layers if not isinstance(l, strata.InputLayer)]
    assert sorted(seen) == sorted(expected)
    assert len(clone.get_weights()) == 3  # kernels only
    assert not clone.get_layer("shared").use_bias


def test_clone_function_may_keep_a_layer():
    model = helpers.sequential_model()
    head = model.get_layer("head")
    clone = clone_model(
        model, clone_function=lambda l: l if l is head else type(l).from_config(l.get_config())
    )
    assert clone.get_layer("head") is head
    np.testing.assert_array_equal(clone.get_layer("head").get_weights()[0], head.get_weights()[0])


def test_input_tensors_for_functional():
    model = helpers.multi_io_model()
    new_a = strata.Input(shape=(3,), name="new_a")
    new_b = strata.Input(shape=(5,), name="new_b")
    clone = clone_model(model, input_tensors=[new_a, new_b])
    assert clone.inputs == [new_a, new_b]
    assert clone.output_shape == model.output_shape
    with pytest.raises(ValueError, match="expected 2 symbolic tensor"):
        clone_model(model, input_tensors=[new_a])
    with pytest.raises(ValueError, match="rank 2"):
        clone_model(model, input_tensors=[strata.Input(shape=(3, 1)), new_b])


def test_input_tensors_for_sequential():
    model = helpers.sequential_model()
    new_input = strata.Input(shape=(3,), name="fresh")
    clone = clone_model(model, input_tensors=new_input)
    assert isinstance(clone, strata.Sequential) and clone.inputs[0] is new_input
    assert _shapes(clone(torch.ones(2, 3))) == [(2, 2)]
    x = layers.Dense(3)(strata.Input(shape=(4,)))
    with pytest.raises(ValueError, match="strata.Input"):
        clone_model(model, input_tensors=x)


def test_sequential_built_from_data_clones():
    model = strata.Sequential([layers.Dense(3), layers.Dense(1)])
    model(torch.ones(2, 6))
    clone = clone_model(model)
    assert clone.built and clone.input_shape == (None, 6)


def test_subclassed_model_clones_from_config():
    class Tiny(strata.Model):
        def __init__(self, units=2, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.dense = layers.Dense(units)

        def call(self, x):
            return self.dense(x)

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    clone = clone_model(Tiny(units=5, name="tiny"))
    assert isinstance(clone, Tiny) and clone.units == 5 and clone.name == "tiny"
    with pytest.raises(ValueError, match="subclassed"):
        clone_model(Tiny(), clone_function=lambda layer: layer)


def test_functional_clone_is_functional():
    inputs = strata.Input(shape=(2,))
    model = strata.Model(inputs, layers.Dense(1)(inputs))
    assert isinstance(clone_model(model), Functional)
