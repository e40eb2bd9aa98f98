"""TimeDistributed applies its layer to every timestep with shared weights."""

import numpy as np
import pytest
import torch

import strata
from strata import layers


def test_dense_equals_dense_on_flattened_time_axis():
    dense = layers.Dense(5, activation="relu")
    wrapper = layers.TimeDistributed(dense)
    x = torch.randn(3, 7, 4)
    output = wrapper(x)
    assert tuple(output.shape) == (3, 7, 5)
    torch.testing.assert_close(output, dense(x.reshape(21, 4)).reshape(3, 7, 5))
    for t in (0, 6):
        torch.testing.assert_close(output[:, t], dense(x[:, t]))
    assert wrapper.count_params() == dense.count_params() == 4 * 5 + 5


def test_symbolic_shape_and_config():
    wrapper = layers.TimeDistributed(layers.Dense(8))
    assert wrapper(strata.Input(shape=(None, 16))).shape == (None, None, 8)
    clone = layers.TimeDistributed.from_config(wrapper.get_config())
    assert clone.get_config() == wrapper.get_config()


def test_wraps_a_layer_without_shape_code():
    class Twice(layers.Layer):
        def call(self, x):
            return torch.cat([x, x], dim=-1)

    wrapper = layers.TimeDistributed(Twice())
    assert wrapper(strata.Input(shape=(6, 3))).shape == (None, 6, 6)


def test_in_a_sequence_model_after_lstm():
    inputs = strata.Input(shape=(5, 3))
    sequences = layers.LSTM(4, return_sequences=True)(inputs)
    outputs = layers.TimeDistributed(layers.Dense(2))(sequences)
    model = strata.Model(inputs, outputs)
    assert model(np.zeros((2, 5, 3), "float32")).shape == (2, 5, 2)


def test_rejects_inputs_without_time_axis():
    with pytest.raises(ValueError, match="rank >= 3"):
        layers.TimeDistributed(layers.Dense(2))(np.zeros((2, 3), "float32"))
