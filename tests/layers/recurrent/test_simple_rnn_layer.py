"""SimpleRNN against torch.nn.RNN and Keras's formula, with the same weights."""

import numpy as np
import pytest
import torch
from rnn_references import run_masked, simple_step

import strata
from strata import layers


def _built(units=4, features=3, **kwargs):
    layer = layers.SimpleRNN(units, **kwargs)
    layer(np.zeros((1, 2, features), "float32"))
    rng = np.random.default_rng(0)
    layer.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in layer.get_weights()])
    return layer


def test_parameter_count_matches_keras():
    layer = layers.SimpleRNN(32)
    layer(strata.Input(shape=(None, 64)))
    assert layer.count_params() == 64 * 32 + 32 * 32 + 32 == 3104


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_matches_torch_rnn(activation):
    layer = _built(activation=activation, return_sequences=True, return_state=True)
    kernel, recurrent, bias = layer.get_weights()
    reference = torch.nn.RNN(3, 4, nonlinearity=activation, batch_first=True)
    with torch.no_grad():
        reference.weight_ih_l0.copy_(torch.from_numpy(kernel.T))
        reference.weight_hh_l0.copy_(torch.from_numpy(recurrent.T))
        reference.bias_ih_l0.copy_(torch.from_numpy(bias))
        reference.bias_hh_l0.zero_()
    x = torch.randn(2, 7, 3)
    output, h = layer(x)
    expected, h_ref = reference(x)
    torch.testing.assert_close(output, expected)
    torch.testing.assert_close(h, h_ref[0])


def test_other_activation_runs_the_loop_with_keras_formula():
    layer = _built(activation="sigmoid", return_sequences=True)
    kernel, recurrent, bias = layer.get_weights()
    x = np.random.default_rng(1).normal(size=(2, 5, 3)).astype("float32")

    def sigmoid(v):
        return 1 / (1 + np.exp(-v))

    expected, _ = run_masked(
        lambda xt, h: simple_step(xt, h, kernel, recurrent, bias, sigmoid),
        x,
        [np.zeros((2, 4), "float32")],
    )
    np.testing.assert_allclose(layer(x).detach().numpy(), expected, rtol=1e-5, atol=1e-5)


def test_fused_path_equals_cell_loop_backwards():
    layer = _built(go_backwards=True, return_sequences=True)
    x = torch.randn(2, 6, 3)
    fused = layer(x)
    layer._force_loop = True
    torch.testing.assert_close(fused, layer(x), rtol=1e-5, atol=1e-5)
