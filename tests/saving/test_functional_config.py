"""Functional configs: Keras 3's layout, and models rebuilt from them."""

import json

import pytest
import saving_helpers as helpers
import torch

import strata
from strata import layers
from strata.models import Functional
from strata.models.functional_config import functional_config, functional_from_config


def test_layout_matches_keras3():
    model = helpers.multi_io_model()
    config = json.loads(json.dumps(model.get_config()))  # JSON all the way down
    assert set(config) == {"name", "trainable", "layers", "input_layers", "output_layers"}
    assert config["name"] == "multi_io"
    assert config["input_layers"] == [["a", 0, 0], ["b", 0, 0]]
    assert config["output_layers"] == {"score": ["score", 0, 0], "rest": ["split", 0, 1]}
    by_name = {entry["name"]: entry for entry in config["layers"]}
    assert [entry["name"] for entry in config["layers"]] == [layer.name for layer in model.layers]
    for entry in config["layers"]:
        assert {"module", "class_name", "config", "registered_name", "inbound_nodes"} <= set(entry)
    assert by_name["a"]["class_name"] == "InputLayer" and by_name["a"]["inbound_nodes"] == []
    assert by_name["add_pair"]["registered_name"] == "strata_tests>AddPair"
    shared_nodes = by_name["shared"]["inbound_nodes"]
    assert len(shared_nodes) == 2
    first_arg = shared_nodes[1]["args"][0]
    assert first_arg["class_name"] == "__keras_tensor__"
    assert first_arg["config"]["keras_history"] == ["squeeze", 0, 0]
    assert first_arg["config"]["shape"] == [None, 3]
    pair_args = by_name["add_pair"]["inbound_nodes"][0]["args"][0]
    assert [t["config"]["keras_history"] for t in pair_args] == [["shared", 0, 0], ["shared", 1, 0]]
    assert by_name["shared"]["build_config"] == {"input_shape": [None, 3]}


def test_single_input_and_output_are_triples():
    inputs = strata.Input(shape=(3,), name="only")
    model = strata.Model(inputs, layers.Dense(2, name="out")(inputs))
    config = model.get_config()
    assert config["input_layers"] == ["only", 0, 0]
    assert config["output_layers"] == ["out", 0, 0]
    rebuilt = Functional.from_config(config)
    assert isinstance(rebuilt.input, type(inputs)) and rebuilt.output_shape == (None, 2)


def test_node_indices_count_only_this_models_calls():
    dense = layers.Dense(2, name="reused")
    dense(strata.Input(shape=(3,)))  # a call that belongs to no model below
    inputs = strata.Input(shape=(3,), name="mine")
    model = strata.Model(inputs, dense(inputs))
    assert len(dense._inbound_nodes) == 2
    config = model.get_config()
    assert config["output_layers"] == ["reused", 0, 0]
    (node,) = config["layers"][1]["inbound_nodes"]
    assert node["args"][0]["config"]["keras_history"] == ["mine", 0, 0]
    assert Functional.from_config(config).output_shape == (None, 2)


@pytest.mark.parametrize(
    "make", [helpers.multi_io_model, helpers.nested_model], ids=["multi_io", "nested"]
)
def test_rebuilt_model_has_same_architecture_and_fresh_weights(make):
    model = make()
    config = model.get_config()
    rebuilt = functional_from_config(Functional, json.loads(json.dumps(config)))
    expected = helpers.without_build_configs(config)
    assert helpers.without_build_configs(rebuilt.get_config()) == expected
    assert [w.shape for w in rebuilt.get_weights()] == [w.shape for w in model.get_weights()]
    pairs = zip(model.get_weights(), rebuilt.get_weights(), strict=True)
    kernels = [(a, b) for a, b in pairs if a.ndim == 2]
    assert kernels and all(not (a == b).all() for a, b in kernels)
    rebuilt.set_weights(model.get_weights())
    helpers.assert_same_outputs(model, rebuilt, helpers.inputs_for(model))


def test_shared_layer_stays_one_layer():
    rebuilt = Functional.from_config(helpers.multi_io_model().get_config())
    shared = rebuilt.get_layer("shared")
    assert len(shared._inbound_nodes) == 2
    assert sum(1 for layer in rebuilt.layers if layer.name == "shared") == 1
    assert len(rebuilt.get_weights()) == 6  # squeeze, shared, score: kernel + bias each


def test_nested_model_comes_back_as_a_model():
    rebuilt = Functional.from_config(helpers.nested_model().get_config())
    inner = rebuilt.get_layer("inner")
    assert isinstance(inner, Functional) and len(inner._inbound_nodes) == 2
    assert isinstance(rebuilt.get_layer("stack"), strata.Sequential)


def test_dict_inputs_keep_their_structure():
    first, second = strata.Input(shape=(2,), name="first"), strata.Input(shape=(2,), name="second")
    summed = helpers.AddPair()([first, second])
    model = strata.Model({"first": first, "second": second}, [summed, layers.Dense(1)(summed)])
    config = model.get_config()
    assert config["input_layers"] == {"first": ["first", 0, 0], "second": ["second", 0, 0]}
    rebuilt = Functional.from_config(config)
    assert isinstance(rebuilt.input, dict) and list(rebuilt.input) == ["first", "second"]
    rebuilt.set_weights(model.get_weights())
    data = {"first": torch.ones(2, 2), "second": torch.full((2, 2), 3.0)}
    helpers.assert_same_outputs(model, rebuilt, data)


def test_unknown_class_is_refused_by_name():
    config = functional_config(helpers.multi_io_model())
    for entry in config["layers"]:
        if entry["name"] == "score":
            entry["class_name"] = entry["registered_name"] = "NotARealLayer"
    with pytest.raises(ValueError, match="NotARealLayer.*register_keras_serializable"):
        Functional.from_config(config)


def test_broken_graph_is_reported():
    config = functional_config(helpers.multi_io_model())
    for entry in config["layers"]:
        if entry["name"] == "score":
            entry["inbound_nodes"][0]["args"][0]["config"]["keras_history"] = ["split", 7, 0]
    with pytest.raises(ValueError, match="score"):
        Functional.from_config(config)
    with pytest.raises(ValueError, match="input_layers"):
        Functional.from_config({"layers": [], "output_layers": []})
