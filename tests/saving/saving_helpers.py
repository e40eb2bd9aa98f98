"""Layers and models the saving tests share (imported by basename from tests/saving)."""

from __future__ import annotations

import numpy as np
import torch

import strata
from strata import layers
from strata.saving import register_keras_serializable


@register_keras_serializable(package="strata_tests")
class AddPair(layers.Layer):
    """Adds a list of two tensors (a multi-input layer)."""

    def call(self, inputs):
        return inputs[0] + inputs[1]


@register_keras_serializable(package="strata_tests")
class SplitHalves(layers.Layer):
    """Returns the two halves of the last axis (a multi-output layer)."""

    def call(self, x):
        half = x.shape[-1] // 2
        return x[..., :half], x[..., half:]


class Scale(layers.Layer):
    """A weighted custom layer that is NOT registered: it loads through custom_objects."""

    def __init__(self, factor=1.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.w = self.add_weight(name="w", shape=(input_shape[-1],), initializer="random_normal")

    def call(self, x):
        return x * self.w * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def sequential_model():
    return strata.Sequential(
        [layers.Dense(4, activation="relu", input_shape=(3,)), layers.Dense(2, name="head")]
    )


def multi_io_model():
    """Two inputs, a shared Dense (two nodes), a multi-input and a multi-output layer, dict out."""
    a = strata.Input(shape=(3,), name="a")
    b = strata.Input(shape=(5,), name="b")
    shared = layers.Dense(4, name="shared")
    b_small = layers.Dense(3, name="squeeze")(b)
    total = AddPair(name="add_pair")([shared(a), shared(b_small)])
    left, right = SplitHalves(name="split")(total)
    return strata.Model(
        [a, b], {"score": layers.Dense(1, name="score")(left), "rest": right}, name="multi_io"
    )


def nested_model():
    """A functional model used twice as a layer, and a Sequential used as a layer."""
    inner_in = strata.Input(shape=(4,), name="inner_in")
    inner = strata.Model(inner_in, layers.Dense(4, activation="tanh")(inner_in), name="inner")
    stack = strata.Sequential([layers.Dense(3), layers.Dense(2)], name="stack")
    inputs = strata.Input(shape=(6,), name="x")
    x = layers.Dense(4, name="first")(inputs)
    x = inner(inner(x))
    outputs = stack(x)
    return strata.Model(inputs, outputs, name="outer")


def inputs_for(model, batch=5, seed=0):
    generator = np.random.default_rng(seed)
    arrays = [
        torch.from_numpy(generator.standard_normal((batch, *t.shape[1:])).astype("float32"))
        for t in model.inputs
    ]
    return arrays[0] if len(arrays) == 1 else arrays


def flat_outputs(outputs) -> list[torch.Tensor]:
    if isinstance(outputs, dict):
        return [outputs[key] for key in sorted(outputs)]
    if isinstance(outputs, (list, tuple)):
        return list(outputs)
    return [outputs]


def assert_same_outputs(model_a, model_b, data):
    with torch.no_grad():
        first, second = flat_outputs(model_a(data)), flat_outputs(model_b(data))
    assert len(first) == len(second)
    for x, y in zip(first, second, strict=True):
        torch.testing.assert_close(x, y, rtol=0, atol=0)


def assert_same_weights(model_a, model_b):
    first, second = model_a.get_weights(), model_b.get_weights()
    assert len(first) == len(second) > 0
    for x, y in zip(first, second, strict=True):
        np.testing.assert_array_equal(x, y)


def without_build_configs(value):
    """A config with every `build_config` dropped.

    A nested Sequential records its build shape as (None, 4) when first called symbolically and
    as [(None, 4)] when rebuilt from a config (the lead's Sequential; nothing reads it back).
    """
    if isinstance(value, dict):
        return {k: without_build_configs(v) for k, v in value.items() if k != "build_config"}
    if isinstance(value, list):
        return [without_build_configs(v) for v in value]
    return value
