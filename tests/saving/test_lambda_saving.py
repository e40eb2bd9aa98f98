"""Lambda layers: their source is saved only with consent and loaded only outside safe mode."""

import json

import pytest
import saving_helpers as helpers
import torch

import strata
from strata import layers
from strata.models import load_model
from strata.saving import SafeModeScope, archive, in_safe_mode, save_model


# --- STAND-IN for strata.layers.core.lambda_layer (written by another contributor, not on this
# branch). Only the interface the saving code relies on matters here: `function_source()` (None
# for a registered function) and a `from_config` that asks `in_safe_mode()` before evaluating
# source. The lead replaces this with the real Lambda when integrating.
def deserialize_function(source, safe_mode):
    if safe_mode:
        raise ValueError("Lambda source refused in safe mode (stand-in).")
    return eval(source)  # the stand-in's whole point: this is what safe mode prevents


class Lambda(layers.Layer):
    def __init__(self, function, source=None, **kwargs):
        super().__init__(**kwargs)
        self.function = function
        self.source = source

    def call(self, x):
        return self.function(x)

    def function_source(self):
        return self.source

    def get_config(self):
        function = {"source": self.source} if self.source is not None else self.function.__name__
        return {**super().get_config(), "function": function}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        function = config.pop("function")
        source = function["source"]
        return cls(deserialize_function(source, in_safe_mode()), source=source, **config)


# --- end of stand-in


def _lambda_model(marker):
    # Evaluating this source creates `marker`: proof that code from the file ran.
    source = f"(__import__('pathlib').Path({str(marker)!r}).touch(), lambda x: x * 3.0)[1]"
    inputs = strata.Input(shape=(3,))
    x = layers.Dense(2)(inputs)
    return strata.Model(inputs, Lambda(eval(source), source=source, name="triple")(x))


def test_saving_a_lambda_needs_consent(tmp_path):
    marker = tmp_path / "ran"
    model = _lambda_model(marker)
    marker.unlink()
    path = tmp_path / "lambda.keras"
    with pytest.raises(ValueError, match=r"'triple'.*allow_lambda_source=True"):
        model.save(path)
    with pytest.raises(ValueError, match="allow_lambda_source"):
        save_model(model, path)
    assert not path.exists()
    model.save(path, allow_lambda_source=True)
    assert path.exists()


@pytest.mark.parametrize("suffix", [".keras", ".h5", ".weights.h5", ""])
def test_loading_lambda_source_needs_safe_mode_off(tmp_path, suffix):
    marker = tmp_path / "ran"
    model = _lambda_model(marker)
    marker.unlink()
    path = tmp_path / f"lambda{suffix}"
    model.save(path, allow_lambda_source=True)
    custom = {"Lambda": Lambda}
    with pytest.raises(ValueError, match=r"'triple'.*safe_mode=False"):
        load_model(path, custom_objects=custom)
    assert not marker.exists()
    loaded = load_model(path, custom_objects=custom, safe_mode=False)
    assert marker.exists()  # the option really is what lets the code run
    data = torch.randn(4, 3)
    helpers.assert_same_outputs(model, loaded, data)
    torch.testing.assert_close(loaded(data), 3.0 * loaded.layers[1](data))


def test_lambda_without_source_needs_no_consent(tmp_path):
    def double(x):
        return 2.0 * x

    inputs = strata.Input(shape=(3,))
    model = strata.Model(inputs, Lambda(double, name="double")(inputs))
    model.save(tmp_path / "named.keras")  # nothing to consent to: no source is stored


def test_safe_mode_scope_nests_and_restores():
    assert in_safe_mode()
    with SafeModeScope(False):
        assert not in_safe_mode()
        with SafeModeScope(True):
            assert in_safe_mode()
        assert not in_safe_mode()
    assert in_safe_mode()


def test_weights_only_files_load_in_safe_mode(tmp_path):
    marker = tmp_path / "ran"
    model = _lambda_model(marker)
    marker.unlink()
    model.save_weights(tmp_path / "lambda.weights.h5")  # no config, so no source: no consent
    other = _lambda_model(marker)
    other.load_weights(tmp_path / "lambda.weights.h5")
    helpers.assert_same_weights(model, other)


def test_lambda_with_function_valued_output_shape_is_refused(tmp_path):
    path = tmp_path / "shape_fn.keras"
    inputs = strata.Input(shape=(3,))
    strata.Model(inputs, layers.Dense(2, name="d")(inputs)).save(path)
    members = archive.read_archive(path)
    config = json.loads(members["config.json"])
    lam = {
        "class_name": "Lambda",
        "config": {
            "name": "sneaky",
            "function": "registered_fn",
            "output_shape": {"source": "lambda s: s"},
        },
    }
    config["config"]["layers"].append(lam)  # refused by the scan before anything is built
    members["config.json"] = json.dumps(config).encode()
    archive.write_archive(path, members)
    with pytest.raises(ValueError, match="'sneaky'.*safe_mode=False"):
        load_model(path)
