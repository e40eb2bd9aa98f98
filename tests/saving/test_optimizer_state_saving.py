"""Compile settings and optimizer state in model files (tensors in safetensors, rest in JSON)."""

import zipfile

import numpy as np
import pytest
import torch

import strata
from strata import layers
from strata.models import load_model
from strata.saving import register_keras_serializable
from strata.saving.optimizer_state import decode_state, encode_state


# --- STAND-IN for the lead's trainer (compile / get_compile_config / compile_from_config) and
# for strata's optimizers (state_dict() = {"optimizer": torch state, "iterations",
# "learning_rate"}), which are not on this branch. Only that interface matters here.
class AdamStandIn:
    def __init__(self, params, learning_rate):
        self.learning_rate = learning_rate
        self.iterations = 0
        self.torch_optimizer = torch.optim.Adam(params, lr=learning_rate)

    def step(self):
        self.torch_optimizer.step()
        self.iterations += 1

    def state_dict(self):
        return {
            "optimizer": self.torch_optimizer.state_dict(),
            "iterations": self.iterations,
            "learning_rate": self.learning_rate,
        }

    def load_state_dict(self, state):
        self.torch_optimizer.load_state_dict(state["optimizer"])
        self.iterations = state["iterations"]


@register_keras_serializable(package="strata_tests")
class CompilableSequential(strata.Sequential):
    def compile(self, learning_rate=0.01):
        self.optimizer = AdamStandIn(self.parameters(), learning_rate)
        self.compiled = True

    def get_compile_config(self):
        return {"learning_rate": self.optimizer.learning_rate}

    def compile_from_config(self, config):
        self.compile(**config)


# --- end of stand-in


def _trained_model():
    model = CompilableSequential([layers.Dense(4, input_shape=(3,)), layers.Dense(1)])
    model.compile(learning_rate=0.05)
    for _ in range(3):
        model.optimizer.torch_optimizer.zero_grad()
        model(torch.randn(8, 3)).pow(2).mean().backward()
        model.optimizer.step()
    return model


def test_compile_config_and_optimizer_state_round_trip(tmp_path):
    model = _trained_model()
    path = tmp_path / "trained.keras"
    model.save(path)
    names = zipfile.ZipFile(path).namelist()
    assert "optimizer.safetensors" in names and "optimizer.json" in names
    loaded = load_model(path)
    assert isinstance(loaded, CompilableSequential) and loaded.compiled
    assert loaded.optimizer.learning_rate == 0.05 and loaded.optimizer.iterations == 3
    saved_state = model.optimizer.torch_optimizer.state_dict()
    loaded_state = loaded.optimizer.torch_optimizer.state_dict()
    assert loaded_state["param_groups"] == saved_state["param_groups"]
    assert sorted(loaded_state["state"]) == sorted(saved_state["state"]) == [0, 1, 2, 3]
    for index, entries in saved_state["state"].items():
        for key, value in entries.items():
            torch.testing.assert_close(loaded_state["state"][index][key], value, rtol=0, atol=0)
    # The restored moments drive the next step exactly as the original's would.
    data = torch.randn(8, 3)
    for trained in (model, loaded):
        trained.optimizer.torch_optimizer.zero_grad()
        trained(data).pow(2).mean().backward()
        trained.optimizer.step()
    for a, b in zip(model.get_weights(), loaded.get_weights(), strict=True):
        torch.testing.assert_close(torch.from_numpy(a), torch.from_numpy(b), rtol=0, atol=0)


def test_include_optimizer_false_and_compile_false(tmp_path):
    model = _trained_model()
    model.save(tmp_path / "no_opt.keras", include_optimizer=False)
    assert "optimizer.json" not in zipfile.ZipFile(tmp_path / "no_opt.keras").namelist()
    loaded = load_model(tmp_path / "no_opt.keras")
    assert loaded.compiled and loaded.optimizer.iterations == 0
    model.save(tmp_path / "full.keras")
    uncompiled = load_model(tmp_path / "full.keras", compile=False)
    assert not uncompiled.compiled and uncompiled.optimizer is None


def test_loaded_model_keeps_its_compile_settings_and_trains_on(tmp_path):
    model = strata.Sequential([layers.Dense(2, activation="softmax", input_shape=(3,))])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["acc"])
    x = np.random.default_rng(0).random((16, 3)).astype("float32")
    y = np.eye(2, dtype="float32")[np.arange(16) % 2]
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    assert loaded.compiled and type(loaded.optimizer).__name__ == "Adam"
    assert loaded.evaluate(x, y, verbose=0, return_dict=True) == pytest.approx(
        model.evaluate(x, y, verbose=0, return_dict=True)
    )
    history = loaded.fit(x, y, epochs=1, verbose=0)
    assert set(history.history) == {"loss", "acc"}


def test_state_codec_keeps_keys_tuples_and_tensors():
    state = {
        "state": {0: {"step": torch.tensor(3.0), "exp_avg": torch.ones(2, 2)}},
        "param_groups": [{"betas": (0.9, 0.999), "params": [0], "foreach": None, "lr": 1e-3}],
        "iterations": 7,
    }
    tensors = {}
    encoded = encode_state(state, tensors)
    assert len(tensors) == 2
    decoded = decode_state(encoded, tensors)
    assert decoded["param_groups"] == state["param_groups"]
    assert list(decoded["state"]) == [0] and decoded["iterations"] == 7
    torch.testing.assert_close(decoded["state"][0]["exp_avg"], torch.ones(2, 2))
    with pytest.raises(ValueError, match="unexpected entry"):
        decode_state({"__import__": "os"}, tensors)
    with pytest.raises(ValueError, match="received object"):
        encode_state({"x": object()}, {})
