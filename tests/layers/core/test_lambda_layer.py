"""Lambda: eager and symbolic use, configs without code, safe-mode source loading."""

import json

import pytest
import torch

import strata
from strata import activations, layers
from strata.layers.core import lambda_layer
from strata.saving import custom_object_scope


def scaled(x, factor=1.0):
    return x * factor


def test_works_eagerly_and_symbolically():
    layer = layers.Lambda(lambda x: x[:, :2] * 3)
    assert torch.equal(layer(torch.ones(4, 5)), torch.full((4, 2), 3.0))
    inputs = strata.Input(shape=(5,))
    out = layers.Lambda(lambda x: x[:, :2] * 3)(inputs)
    assert out.shape == (None, 2)
    model = strata.Model(inputs, out)
    assert torch.equal(model(torch.ones(3, 5)), torch.full((3, 2), 3.0))


def test_arguments_and_output_shape():
    layer = layers.Lambda(scaled, output_shape=(7,), arguments={"factor": 2.0})
    assert layer(strata.Input(shape=(7,))).shape == (None, 7)
    assert torch.equal(layer(torch.ones(1, 7)), torch.full((1, 7), 2.0))
    # an output_shape is trusted instead of running the function (which might not run on
    # shape-only tensors)
    assert layers.Lambda(lambda x: x, output_shape=(3, 3))(strata.Input(shape=(9,))).shape == (
        None,
        3,
        3,
    )
    shaped = layers.Lambda(lambda x: x, output_shape=lambda s: (s[0], 4))
    assert shaped(strata.Input(shape=(4,))).shape == (None, 4)


def test_training_argument_is_passed_when_the_function_takes_it():
    seen = []
    layer = layers.Lambda(lambda x, training=None: seen.append(training) or x)
    layer(torch.ones(1))
    layer(torch.ones(1), training=True)
    assert seen == [False, True]


def test_config_names_the_function_and_holds_no_code():
    config = layers.Lambda(lambda x: x + 1, arguments={"a": 1}).get_config()
    assert config["function"] == "<lambda>"
    text = json.dumps(config)  # JSON values only
    assert "x + 1" not in text and "code" not in text
    named = layers.Lambda(scaled).get_config()
    assert named["function"] == "scaled"


def test_from_config_finds_named_functions_by_scope_or_builtin():
    config = layers.Lambda(scaled, arguments={"factor": 3.0}).get_config()
    with pytest.raises(ValueError, match="custom_objects"):
        layers.Lambda.from_config(config)
    with custom_object_scope({"scaled": scaled}):
        restored = layers.Lambda.from_config(config)
    assert torch.equal(restored(torch.ones(2)), torch.full((2,), 3.0))
    restored = layers.Lambda.from_config(config, custom_objects={"scaled": scaled})
    assert restored.function is scaled
    builtin = layers.Lambda.from_config(layers.Lambda(activations.relu).get_config())
    assert builtin.function is activations.relu


def test_function_source_isolates_the_lambda():
    factor = 4
    layer = layers.Lambda(lambda x: x * factor, output_shape=(3,))
    assert layer.function_source() == "lambda x: x * factor"
    assert layers.Lambda(scaled).function_source().startswith("def scaled(x, factor=1.0):")


def test_source_in_a_config_is_refused_in_safe_mode():
    layer = layers.Lambda(lambda x: x * 2)
    config = {**layer.get_config(), "function_source": layer.function_source()}
    with pytest.raises(ValueError, match="safe_mode=False"):
        layers.Lambda.from_config(config)
    with pytest.raises(ValueError, match="trust the file"):
        lambda_layer.deserialize_function("lambda x: x", safe_mode=True)
    with pytest.raises(ValueError, match="safe_mode=False"):
        lambda_layer.deserialize_function("lambda x: x")  # the default is safe


def test_source_loads_when_safe_mode_is_off():
    layer = layers.Lambda(scaled, arguments={"factor": 5.0})
    config = {**layer.get_config(), "function_source": layer.function_source()}
    restored = layers.Lambda.from_config(config, safe_mode=False)
    assert torch.equal(restored(torch.ones(2)), torch.full((2,), 5.0))
    with lambda_layer.safe_mode_scope(False):
        fn = lambda_layer.deserialize_function("lambda x: torch.relu(x) + 1")
    assert torch.equal(fn(torch.tensor([-3.0])), torch.tensor([1.0]))
    # the scope ends: safe again
    with pytest.raises(ValueError):
        lambda_layer.deserialize_function("lambda x: x")


def test_rejects_non_callables():
    with pytest.raises(ValueError, match="callable"):
        layers.Lambda("x * 2")
