"""LSTM against torch.nn.LSTM and Keras's formulas, with the same weights."""

import numpy as np
import pytest
import torch
from rnn_references import lstm_step, run_masked

import strata
from strata import layers


def _lstm_and_torch(units=5, features=3, **kwargs):
    layer = layers.LSTM(units, **kwargs)
    layer(np.zeros((1, 2, features), "float32"))
    reference = torch.nn.LSTM(features, units, batch_first=True)
    with torch.no_grad():
        reference.bias_hh_l0.zero_()  # Keras has one bias
    return layer, reference


def _randomize(layer, seed=0):
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in layer.get_weights()])


def test_parameter_count_and_shapes_match_keras():
    layer = layers.LSTM(32)
    layer(strata.Input(shape=(None, 64)))
    assert layer.count_params() == 4 * (64 * 32 + 32 * 32 + 32) == 12416
    assert [w.shape for w in layer.get_weights()] == [(64, 128), (32, 128), (128,)]
    assert [w is c for w, c in zip(layer.weights, layer.cell.weights, strict=True)] == [True] * 3


def test_unit_forget_bias_initializes_forget_gate_to_one():
    layer = layers.LSTM(4)
    layer(np.zeros((1, 2, 3), "float32"))
    bias = layer.get_weights()[2]
    np.testing.assert_array_equal(bias, np.r_[np.zeros(4), np.ones(4), np.zeros(8)])
    plain = layers.LSTM(4, unit_forget_bias=False)
    plain(np.zeros((1, 2, 3), "float32"))
    np.testing.assert_array_equal(plain.get_weights()[2], np.zeros(16))


@pytest.mark.parametrize("return_sequences", [False, True])
def test_matches_torch_lstm(return_sequences):
    layer, reference = _lstm_and_torch(return_sequences=return_sequences, return_state=True)
    _randomize(layer)
    _copy_into(layer, reference)
    x = torch.randn(4, 7, 3)
    output, h, c = layer(x)
    expected, (h_ref, c_ref) = reference(x)
    expected = expected if return_sequences else expected[:, -1]
    torch.testing.assert_close(output, expected, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(h, h_ref[0], rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(c, c_ref[0], rtol=1e-5, atol=1e-5)


def _copy_into(layer, reference):
    kernel, recurrent, bias = layer.get_weights()
    with torch.no_grad():
        reference.weight_ih_l0.copy_(torch.from_numpy(kernel.T))
        reference.weight_hh_l0.copy_(torch.from_numpy(recurrent.T))
        reference.bias_ih_l0.copy_(torch.from_numpy(bias))


def test_matches_keras_formula_in_keras_layout():
    layer = layers.LSTM(4, return_sequences=True)
    layer(np.zeros((1, 2, 3), "float32"))
    _randomize(layer, seed=1)
    x = np.random.default_rng(2).normal(size=(2, 6, 3)).astype("float32")
    kernel, recurrent, bias = layer.get_weights()
    zeros = np.zeros((2, 4), "float32")
    expected, _ = run_masked(
        lambda xt, h, c: lstm_step(xt, h, c, kernel, recurrent, bias), x, [zeros, zeros]
    )
    np.testing.assert_allclose(layer(x).detach().numpy(), expected, rtol=1e-5, atol=1e-5)


def test_go_backwards_reverses_input_and_keeps_output_reversed():
    forward = layers.LSTM(4, return_sequences=True)
    backward = layers.LSTM(4, return_sequences=True, go_backwards=True)
    x = torch.randn(2, 6, 3)
    forward(x)
    backward(x)
    backward.set_weights(forward.get_weights())
    torch.testing.assert_close(backward(x), forward(x.flip(1)))


@pytest.mark.parametrize("return_sequences", [False, True])
def test_fused_path_equals_cell_loop(return_sequences):
    layer = layers.LSTM(6, return_sequences=return_sequences, return_state=True)
    x = torch.randn(3, 9, 4)
    fused = layer(x)
    layer._force_loop = True
    looped = layer(x)
    for a, b in zip(fused, looped, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)


def test_fused_gradients_equal_loop_gradients():
    layer = layers.LSTM(4)
    x = torch.randn(2, 5, 3)
    layer(x).square().sum().backward()
    fused = [w.grad.clone() for w in layer.weights]
    layer.zero_grad()
    layer._force_loop = True
    layer(x).square().sum().backward()
    for a, w in zip(fused, layer.weights, strict=True):
        torch.testing.assert_close(a, w.grad, rtol=1e-5, atol=1e-6)


def test_initial_state_is_used():
    layer = layers.LSTM(4, return_state=True)
    x = torch.randn(2, 3, 3)
    h0, c0 = torch.randn(2, 4), torch.randn(2, 4)
    _, h_zero, _ = layer(x)
    _, h_init, _ = layer(x, initial_state=[h0, c0])
    assert not torch.allclose(h_zero, h_init)
    layer._force_loop = True
    _, h_loop, _ = layer(x, initial_state=[h0, c0])
    torch.testing.assert_close(h_init, h_loop, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="expected 2 initial state"):
        layer(x, initial_state=[h0])


def test_initial_state_in_a_functional_model():
    x = strata.Input(shape=(None, 3))
    h = strata.Input(shape=(4,))
    c = strata.Input(shape=(4,))
    layer = layers.LSTM(4)
    model = strata.Model([x, h, c], layer(x, initial_state=[h, c]))
    data = [np.random.rand(2, 5, 3).astype("float32"), np.ones((2, 4), "float32")]
    data.append(np.ones((2, 4), "float32"))
    expected = layer(torch.from_numpy(data[0]), initial_state=[torch.ones(2, 4)] * 2)
    torch.testing.assert_close(model(data), expected)


def test_dropout_only_in_training():
    layer = layers.LSTM(8, dropout=0.5, recurrent_dropout=0.5, seed=1)
    x = torch.randn(4, 6, 5)
    inference = layer(x, training=False)
    torch.testing.assert_close(inference, layer(x, training=False))
    assert not torch.allclose(layer(x, training=True), inference)
    assert not torch.allclose(layer(x, training=True), layer(x, training=True))


def test_input_dropout_keeps_fused_path_and_matches_loop():
    layer = layers.LSTM(4, dropout=0.5, seed=7)
    x = torch.randn(3, 5, 6)
    fused = layer(x, training=True)
    layer._force_loop = True
    layer.cell._generators.clear()  # the same seed gives the same mask on both paths
    torch.testing.assert_close(fused, layer(x, training=True), rtol=1e-5, atol=1e-5)


def test_siamese_lstm_shares_weights():
    shared = layers.LSTM(32)
    left, right = strata.Input(shape=(None, 128)), strata.Input(shape=(None, 128))

    class Concat(layers.Layer):
        def call(self, inputs):
            return torch.cat(inputs, dim=-1)

    model = strata.Model([left, right], Concat()([shared(left), shared(right)]))
    assert model.count_params() == 4 * (128 * 32 + 32 * 32 + 32)
    a, b = torch.randn(2, 5, 128), torch.randn(2, 7, 128)
    out = model([a, b])
    assert tuple(out.shape) == (2, 64)
    torch.testing.assert_close(out[:, :32], shared(a))
    torch.testing.assert_close(out[:, 32:], shared(b))


def test_rejects_wrong_rank():
    with pytest.raises(ValueError, match=r"\(batch, time, features\)"):
        layers.LSTM(3)(np.zeros((2, 3), "float32"))
