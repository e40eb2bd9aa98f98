"""activation_stats / ActivationStats: per-layer output mean and std, standalone and in fit."""

import numpy as np
import pytest
import torch

import strata
from strata import layers
from strata.callbacks import ActivationStats
from strata.utils import activation_stats


def standardized(n=2000, features=64, seed=0):
    x = np.random.default_rng(seed).normal(size=(n, features))
    return ((x - x.mean(0)) / x.std(0)).astype("float32")


def selu_stack(depth=16, width=64, activation="selu", initializer="lecun_normal"):
    return strata.Sequential(
        [strata.Input(shape=(width,))]
        + [
            layers.Dense(
                width, activation=activation, kernel_initializer=initializer, name=f"layer_{i}"
            )
            for i in range(depth)
        ]
    )


def test_selu_network_self_normalizes():
    stats = activation_stats(selu_stack(), standardized())
    assert list(stats) == [f"layer_{i}" for i in range(16)]
    for values in stats.values():
        assert abs(values["mean"]) < 0.1
        assert values["std"] == pytest.approx(1.0, abs=0.15)


def test_sigmoid_network_does_not():
    """The same check flags a network that is not self-normalizing (the test can fail)."""
    stats = activation_stats(
        selu_stack(activation="sigmoid", initializer="glorot_uniform"), standardized()
    )
    assert stats["layer_15"]["mean"] > 0.3 and stats["layer_15"]["std"] < 0.3


def test_values_match_the_layer_outputs_exactly():
    inputs = strata.Input(shape=(5,), name="x")
    hidden = layers.Dense(7, activation="relu", name="hidden")(inputs)
    output = layers.Dense(2, name="out")(hidden)
    model = strata.Model(inputs, output)
    x = standardized(n=50, features=5)
    stats = activation_stats(model, x)
    with torch.no_grad():
        h = model.get_layer("hidden")(torch.from_numpy(x))
        o = model.get_layer("out")(h)
    assert stats["hidden"]["mean"] == pytest.approx(float(h.double().mean()), rel=1e-6)
    assert stats["out"]["std"] == pytest.approx(float(o.double().std(correction=0)), rel=1e-6)
    only = activation_stats(model, x, layers=["out"])
    assert list(only) == ["out"]
    with pytest.raises(ValueError, match="missing"):
        activation_stats(model, x, layers=["missing"])


def test_nested_model_layers_are_named_by_path():
    inner_in = strata.Input(shape=(4,))
    inner = strata.Model(inner_in, layers.Dense(3, name="core")(inner_in), name="block")
    outer_in = strata.Input(shape=(4,))
    model = strata.Model(outer_in, layers.Dense(1, name="head")(inner(outer_in)))
    stats = activation_stats(model, standardized(n=20, features=4))
    assert list(stats) == ["block/core", "head"]


def test_callback_records_into_history():
    x = standardized(n=256, features=64)
    y = x[:, :1]
    selu = selu_stack(depth=4)
    model = strata.Sequential(selu.layers + [layers.Dense(1, name="out")])
    model.build((None, 64))
    model.compile(optimizer="sgd", loss="mse")
    callback = ActivationStats(freq=1)
    history = model.fit(
        x, y, epochs=2, batch_size=64, verbose=0, validation_data=(x, y), callbacks=[callback]
    )
    for i in range(4):
        assert len(history.history[f"act_mean/layer_{i}"]) == 2
        assert history.history[f"act_std/layer_{i}"][-1] == pytest.approx(1.0, abs=0.25)
    assert len(callback.stats) == 2
    assert callback.stats[-1]["layer_0"]["mean"] == history.history["act_mean/layer_0"][-1]
