"""The generic RNN: custom cells, stacked cells, stateful layers, shapes and configs."""

import numpy as np
import pytest
import torch

import strata
from strata import layers


class MinimalCell(layers.Layer):
    """A user cell with Keras's cell API: `h_t = x_t @ w + h_{t-1}`."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="ones")

    def call(self, inputs, states):
        h = inputs @ self.w + states[0]
        return h, [h]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_custom_cell_runs_in_the_loop():
    layer = layers.RNN(MinimalCell(2), return_sequences=True)
    x = torch.ones(1, 4, 3)
    output = layer(x)
    expected = torch.tensor([3.0, 6.0, 9.0, 12.0])[None, :, None].expand(1, 4, 2)
    torch.testing.assert_close(output, expected)


def test_rnn_over_lstm_cell_equals_lstm():
    lstm = layers.LSTM(4, return_sequences=True)
    generic = layers.RNN(layers.LSTMCell(4), return_sequences=True)
    x = torch.randn(2, 5, 3)
    lstm(x)
    generic(x)
    generic.set_weights(lstm.get_weights())
    torch.testing.assert_close(generic(x), lstm(x))


def test_stacked_cells_equal_two_layers():
    stacked = layers.RNN([layers.LSTMCell(4), layers.GRUCell(3)], return_state=True)
    first = layers.LSTM(4, return_sequences=True, return_state=True)
    second = layers.GRU(3, return_state=True)
    x = torch.randn(2, 6, 5)
    out, h1, c1, h2 = stacked(x)
    sequence, h1_ref, c1_ref = first(x)
    out_ref, h2_ref = second(sequence)
    weights = stacked.get_weights()
    first.set_weights(weights[:3])
    second.set_weights(weights[3:])
    sequence, h1_ref, c1_ref = first(x)
    out_ref, h2_ref = second(sequence)
    for got, want in zip((out, h1, c1, h2), (out_ref, h1_ref, c1_ref, h2_ref), strict=True):
        torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)


def test_stacked_cells_config_round_trip():
    layer = layers.RNN([layers.LSTMCell(4), layers.SimpleRNNCell(3)])
    clone = layers.RNN.from_config(layer.get_config())
    assert isinstance(clone.cell, layers.StackedRNNCells)
    assert [type(c).__name__ for c in clone.cell.cells] == ["LSTMCell", "SimpleRNNCell"]
    clone(np.zeros((1, 2, 5), "float32"))
    assert clone.count_params() == 4 * (5 * 4 + 4 * 4 + 4) + (4 * 3 + 3 * 3 + 3)


def test_lstm_config_is_flat_and_round_trips():
    layer = layers.LSTM(7, dropout=0.1, return_sequences=True, unit_forget_bias=False, name="x")
    config = layer.get_config()
    assert config["units"] == 7 and config["return_sequences"] is True
    assert "cell" not in config
    clone = layers.LSTM.from_config(config)
    assert clone.get_config() == config
    assert clone.units == 7 and clone.dropout == 0.1


def test_stateful_carries_state_and_resets():
    layer = layers.GRU(3, stateful=True)
    x1, x2 = torch.randn(2, 4, 5), torch.randn(2, 4, 5)
    first = layer(x1)
    second = layer(x2)
    whole = layers.GRU(3)
    whole(x1)
    whole.set_weights(layer.get_weights())
    torch.testing.assert_close(second, whole(torch.cat([x1, x2], dim=1)), rtol=1e-5, atol=1e-5)
    layer.reset_states()
    torch.testing.assert_close(layer(x1), first)
    assert not layer.states[0].requires_grad
    with pytest.raises(ValueError, match="expected batches of 2 rows"):
        layer(torch.randn(3, 4, 5))


def test_stateful_states_are_not_weights():
    layer = layers.LSTM(3, stateful=True)
    layer(torch.randn(2, 4, 5))
    assert len(layer.weights) == 3
    assert "state_0" not in layer.state_dict()


def test_reset_states_on_non_stateful_layer_raises():
    with pytest.raises(AttributeError, match="not stateful"):
        layers.LSTM(3).reset_states()


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({}, (None, 4)),
        ({"return_sequences": True}, (None, 7, 4)),
        ({"return_state": True}, [(None, 4), (None, 4), (None, 4)]),
    ],
)
def test_compute_output_shape(kwargs, expected):
    layer = layers.LSTM(4, **kwargs)
    assert layer.compute_output_shape((None, 7, 3)) == expected
    symbolic = layer(strata.Input(shape=(7, 3)))
    shapes = [t.shape for t in symbolic] if isinstance(symbolic, list) else symbolic.shape
    assert shapes == expected


def test_dropout_in_a_model_follows_training_flag():
    inputs = strata.Input(shape=(5, 3))
    model = strata.Model(inputs, layers.SimpleRNN(4, dropout=0.5, recurrent_dropout=0.5)(inputs))
    x = np.random.default_rng(0).normal(size=(3, 5, 3)).astype("float32")
    torch.testing.assert_close(model(x), model(x, training=False))
    assert not torch.allclose(model(x, training=True), model(x))


def test_invalid_arguments_are_rejected():
    with pytest.raises(ValueError, match="positive integer `units`"):
        layers.LSTM(0)
    with pytest.raises(ValueError, match="dropout"):
        layers.GRU(2, dropout=1.5)
    with pytest.raises(ValueError, match="cell with `call` and `state_size`"):
        layers.RNN(object())


def test_torch_compile_matches_eager():
    layer = layers.LSTM(4, return_sequences=True)
    x = torch.randn(2, 5, 3)
    expected = layer(x)
    compiled = torch.compile(layer)
    output = compiled(x)
    torch.testing.assert_close(output, expected)
    output.sum().backward()
    assert all(w.grad is not None for w in layer.weights)


def test_cell_call_forms():
    cell = layers.LSTMCell(3)
    x, h, c = torch.randn(2, 4), torch.randn(2, 3), torch.randn(2, 3)
    output, states = cell(x, [h, c])
    listed, listed_states = cell([x, h, c])
    torch.testing.assert_close(listed, output)
    zero_output, _ = cell(x)
    torch.testing.assert_close(zero_output, cell(x, [torch.zeros(2, 3)] * 2)[0])
    assert not torch.allclose(zero_output, output)
    assert len(states) == len(listed_states) == 2
    stacked = layers.StackedRNNCells([layers.GRUCell(3), layers.SimpleRNNCell(2)])
    out, new_states = stacked([x, h, torch.zeros(2, 2)])
    assert tuple(out.shape) == (2, 2) and [tuple(s.shape) for s in new_states] == [(2, 3), (2, 2)]
