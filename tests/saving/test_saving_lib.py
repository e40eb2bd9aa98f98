"""save_model / load_model / save_weights / load_weights round trips and the file layout."""

import json
import os
import zipfile

import numpy as np
import pytest
import saving_helpers as helpers
import torch

import strata
from strata import layers
from strata.models import Functional, load_model
from strata.saving import archive, saving_lib

SUFFIXES = ["model.keras", "model.h5", "model.weights.h5", "model"]
MAKERS = {
    "sequential": helpers.sequential_model,
    "multi_io": helpers.multi_io_model,
    "nested": helpers.nested_model,
}


@pytest.mark.parametrize("kind", sorted(MAKERS))
@pytest.mark.parametrize("filename", SUFFIXES)
def test_model_round_trip(tmp_path, kind, filename):
    model = MAKERS[kind]()
    path = tmp_path / filename
    model.save(path)
    loaded = load_model(path)
    assert type(loaded) is type(model)
    assert loaded is not model
    helpers.assert_same_weights(model, loaded)
    helpers.assert_same_outputs(model, loaded, helpers.inputs_for(model))
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]


def test_file_layout(tmp_path):
    model = helpers.multi_io_model()
    path = tmp_path / "m.keras"
    strata.saving.save_model(model, path)
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == sorted(
            ["config.json", "metadata.json", "model.weights.safetensors"]
        )
        config = json.loads(zf.read("config.json"))
        metadata = json.loads(zf.read("metadata.json"))
        weights = zf.read("model.weights.safetensors")
        assert zf.getinfo("model.weights.safetensors").compress_type == zipfile.ZIP_STORED
    assert config["class_name"] == "Functional" and config["config"]["name"] == "multi_io"
    assert metadata["format"] == "strata" and metadata["format_version"] == 1
    assert metadata["strata_version"] == strata.__version__
    assert metadata["torch_version"] == torch.__version__ and metadata["kind"] == "model"
    from safetensors.torch import load

    tensors = load(weights)
    assert sorted(tensors) == sorted(
        [f"layers/{n}/vars/{i}" for n in ("squeeze", "shared", "score") for i in (0, 1)]
    )
    # Keras's layout: Dense kernels (in, out), whatever torch stores.
    assert tuple(tensors["layers/squeeze/vars/0"].shape) == (5, 3)
    np.testing.assert_array_equal(
        tensors["layers/squeeze/vars/0"].numpy(), model.get_layer("squeeze").get_weights()[0]
    )


def test_nested_weight_keys_follow_layer_paths(tmp_path):
    path = tmp_path / "nested.keras"
    helpers.nested_model().save(path)
    from safetensors.torch import load

    keys = set(load(zipfile.ZipFile(path).read("model.weights.safetensors")))
    assert "layers/inner/layers/dense/vars/0" in keys
    assert "layers/stack/layers/dense_2/vars/1" in keys


def test_weights_only_round_trip(tmp_path):
    model = helpers.multi_io_model()
    for filename in SUFFIXES:
        path = tmp_path / filename
        model.save_weights(path)
        assert "config.json" not in zipfile.ZipFile(path).namelist()
        other = helpers.multi_io_model()
        pairs = zip(model.get_weights(), other.get_weights(), strict=True)
        assert not all(np.array_equal(a, b) for a, b in pairs)
        other.load_weights(path)
        helpers.assert_same_weights(model, other)
        helpers.assert_same_outputs(model, other, helpers.inputs_for(model))


def test_load_weights_reads_whole_model_files(tmp_path):
    model = helpers.sequential_model()
    model.save(tmp_path / "full.keras")
    other = helpers.sequential_model()
    other.load_weights(tmp_path / "full.keras")
    helpers.assert_same_weights(model, other)


def test_load_model_refuses_weights_only_file(tmp_path):
    helpers.sequential_model().save_weights(tmp_path / "w.weights.h5")
    with pytest.raises(ValueError, match="weights only.*load_weights"):
        load_model(tmp_path / "w.weights.h5")


def test_shape_mismatch_names_layer_weight_and_shapes(tmp_path):
    helpers.sequential_model().save_weights(tmp_path / "w.weights.h5")
    other = strata.Sequential(
        [layers.Dense(5, input_shape=(3,), name="wide"), layers.Dense(2, name="head")]
    )
    with pytest.raises(ValueError, match=r"'wide'.*'kernel'.*\(3, 5\).*\(3, 4\)"):
        other.load_weights(tmp_path / "w.weights.h5")


def test_skip_mismatch_loads_the_rest_with_a_warning(tmp_path):
    source = strata.Sequential([layers.Dense(4, input_shape=(3,)), layers.Dense(2, name="head")])
    source.save_weights(tmp_path / "w.weights.h5")
    target = strata.Sequential([layers.Dense(4, input_shape=(3,)), layers.Dense(3, name="head")])
    head_before = target.get_layer("head").get_weights()
    with pytest.warns(UserWarning, match="head"):
        target.load_weights(tmp_path / "w.weights.h5", skip_mismatch=True)
    for a, b in zip(source.layers[0].get_weights(), target.layers[0].get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(head_before, target.get_layer("head").get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_weight_count_mismatch(tmp_path):
    helpers.sequential_model().save_weights(tmp_path / "w.weights.h5")
    three = strata.Sequential([layers.Dense(4, input_shape=(3,)), layers.Dense(2), layers.Dense(2)])
    with pytest.raises(ValueError, match="expected 6 weights.*holds 4"):
        three.load_weights(tmp_path / "w.weights.h5")


def test_by_name_matches_layers_by_name(tmp_path):
    inputs = strata.Input(shape=(3,))
    a = layers.Dense(3, name="alpha")(inputs)
    source = strata.Model(inputs, layers.Dense(3, name="beta")(a))
    source.save_weights(tmp_path / "w.weights.h5")
    inputs = strata.Input(shape=(3,))
    b = layers.Dense(3, name="beta")(inputs)  # same names, other order
    target = strata.Model(inputs, layers.Dense(3, name="alpha")(b))
    target.load_weights(tmp_path / "w.weights.h5", by_name=True)
    for name in ("alpha", "beta"):
        saved, loaded = source.get_layer(name), target.get_layer(name)
        for x, y in zip(saved.get_weights(), loaded.get_weights(), strict=True):
            np.testing.assert_array_equal(x, y)


def test_custom_layer_through_custom_objects(tmp_path):
    inputs = strata.Input(shape=(3,))
    model = strata.Model(inputs, helpers.Scale(factor=2.0, name="scale")(inputs))
    model.save(tmp_path / "custom.keras")
    with pytest.raises(ValueError, match="Scale.*register_keras_serializable"):
        load_model(tmp_path / "custom.keras")
    loaded = load_model(tmp_path / "custom.keras", custom_objects={"Scale": helpers.Scale})
    assert loaded.get_layer("scale").factor == 2.0
    helpers.assert_same_outputs(model, loaded, helpers.inputs_for(model))


def test_custom_objects_reach_nested_models(tmp_path):
    stack = strata.Sequential([helpers.Scale(name="inner_scale")], name="stack")
    inputs = strata.Input(shape=(3,))
    model = strata.Model(inputs, stack(inputs))
    model.save(tmp_path / "nested_custom.keras")
    loaded = load_model(tmp_path / "nested_custom.keras", custom_objects={"Scale": helpers.Scale})
    helpers.assert_same_outputs(model, loaded, helpers.inputs_for(model))


def test_registered_layer_loads_without_custom_objects(tmp_path):
    model = helpers.multi_io_model()  # AddPair and SplitHalves are registered by decorator
    model.save(tmp_path / "registered.keras")
    loaded = load_model(tmp_path / "registered.keras")
    assert type(loaded.get_layer("add_pair")) is helpers.AddPair


def test_overwrite_false_keeps_the_file(tmp_path):
    path = tmp_path / "m.keras"
    helpers.sequential_model().save(path)
    before = path.read_bytes()
    with pytest.raises(FileExistsError, match="overwrite"):
        helpers.sequential_model().save(path, overwrite=False)
    assert path.read_bytes() == before


def test_failure_mid_write_leaves_previous_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "m.keras"
    helpers.sequential_model().save(path)
    before = path.read_bytes()
    real_writestr = zipfile.ZipFile.writestr
    calls = []

    def failing_writestr(self, *args, **kwargs):
        calls.append(args[0])
        if len(calls) == 2:
            raise OSError("disk full (simulated)")
        return real_writestr(self, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", failing_writestr)
    with pytest.raises(OSError, match="simulated"):
        helpers.multi_io_model().save(path)
    monkeypatch.undo()
    assert len(calls) == 2  # the write really started
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.keras"]  # no temporary file left behind
    load_model(path)


def test_saving_creates_missing_folders_and_accepts_strings(tmp_path):
    path = str(tmp_path / "a" / "b" / "m.keras")
    helpers.sequential_model().save(path)
    assert isinstance(load_model(path), strata.Sequential)


def test_unknown_save_argument_is_refused(tmp_path):
    with pytest.raises(TypeError, match="save_lambda"):
        helpers.sequential_model().save(tmp_path / "m.keras", save_lambda=True)
    with pytest.raises(ValueError, match="one format"):
        helpers.sequential_model().save(tmp_path / "m.keras", zipped=False)
    with pytest.raises(ValueError, match="one format"):
        helpers.sequential_model().save(tmp_path / "m", save_format="tf")
    helpers.sequential_model().save(tmp_path / "m.h5", save_format="h5")
    assert not (tmp_path / "m.keras").exists() and (tmp_path / "m.h5").exists()


def test_newer_format_version_is_refused(tmp_path):
    path = tmp_path / "m.keras"
    helpers.sequential_model().save(path)
    members = archive.read_archive(path)
    members["metadata.json"] = json.dumps({"format": "strata", "format_version": 99}).encode()
    archive.write_archive(path, members)
    with pytest.raises(ValueError, match="version 99"):
        load_model(path)


def test_sequential_built_from_data_round_trips(tmp_path):
    model = strata.Sequential([layers.Dense(3), layers.Dense(1)])
    data = torch.randn(4, 7)
    model(data)
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    helpers.assert_same_outputs(model, loaded, data)


def test_functional_subclass_config_rebuilds(tmp_path):
    model = helpers.multi_io_model()
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    assert isinstance(loaded, Functional) and isinstance(loaded.output, dict)
    assert sorted(loaded.output) == ["rest", "score"]
    assert saving_lib.FORMAT_VERSION == 1


@strata.saving.register_keras_serializable(package="strata_tests")
class TinySubclassed(strata.Model):
    def __init__(self, units=2, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.dense = layers.Dense(units)

    def call(self, x):
        return self.dense(x)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_subclassed_model_round_trip(tmp_path):
    model = TinySubclassed(units=3)
    data = torch.randn(2, 4)
    model(data)
    model.save(tmp_path / "sub.keras")
    loaded = load_model(tmp_path / "sub.keras")
    assert isinstance(loaded, TinySubclassed) and loaded.units == 3
    helpers.assert_same_weights(model, loaded)
    helpers.assert_same_outputs(model, loaded, data)


def test_docstring_examples_run():
    import doctest

    from strata.models import cloning

    for module in (saving_lib, cloning):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.attempted > 0 and result.failed == 0
