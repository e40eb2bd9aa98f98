"""GRU against torch.nn.GRU and Keras's formulas (gate order z, r, h), with the same weights."""

import numpy as np
import pytest
import torch
from rnn_references import gru_step, run_masked

import strata
from strata import layers


def _built(units=4, features=3, seed=0, **kwargs):
    layer = layers.GRU(units, **kwargs)
    layer(np.zeros((1, 2, features), "float32"))
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in layer.get_weights()])
    return layer


def _torch_order(keras_matrix):
    """Keras's gate blocks z, r, h along the last axis -> torch's r, z, n, transposed."""
    z, r, h = np.split(keras_matrix, 3, axis=-1)
    return torch.from_numpy(np.concatenate([r, z, h], axis=-1).T.copy())


def test_parameter_count_and_shapes_match_keras():
    layer = layers.GRU(32)
    layer(strata.Input(shape=(None, 64)))
    # 3 * (64*32 + 32*32 + 2*32): two bias rows with reset_after=True.
    assert layer.count_params() == 9408
    assert [w.shape for w in layer.get_weights()] == [(64, 96), (32, 96), (2, 96)]
    before = layers.GRU(32, reset_after=False)
    before(strata.Input(shape=(None, 64)))
    assert before.count_params() == 3 * (64 * 32 + 32 * 32 + 32)


def test_weights_round_trip_in_keras_gate_order():
    layer = _built()
    weights = layer.get_weights()
    layer.set_weights(weights)
    for a, b in zip(weights, layer.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    # The stored kernel is torch's: its first block is Keras's second (the reset gate).
    np.testing.assert_array_equal(layer.cell.kernel.detach().numpy()[:4], weights[0][:, 4:8].T)


@pytest.mark.parametrize("return_sequences", [False, True])
def test_matches_torch_gru(return_sequences):
    layer = _built(return_sequences=return_sequences, return_state=True)
    kernel, recurrent, bias = layer.get_weights()
    reference = torch.nn.GRU(3, 4, batch_first=True)
    with torch.no_grad():
        reference.weight_ih_l0.copy_(_torch_order(kernel))
        reference.weight_hh_l0.copy_(_torch_order(recurrent))
        reference.bias_ih_l0.copy_(_torch_order(bias[0]))
        reference.bias_hh_l0.copy_(_torch_order(bias[1]))
    x = torch.randn(3, 6, 3)
    output, h = layer(x)
    expected, h_ref = reference(x)
    torch.testing.assert_close(output, expected if return_sequences else expected[:, -1])
    torch.testing.assert_close(h, h_ref[0])


@pytest.mark.parametrize("reset_after", [True, False])
def test_matches_keras_formula(reset_after):
    layer = _built(return_sequences=True, reset_after=reset_after, seed=3)
    kernel, recurrent, bias = layer.get_weights()
    x = np.random.default_rng(4).normal(size=(2, 5, 3)).astype("float32")
    expected, _ = run_masked(
        lambda xt, h: gru_step(xt, h, kernel, recurrent, bias, reset_after),
        x,
        [np.zeros((2, 4), "float32")],
    )
    np.testing.assert_allclose(layer(x).detach().numpy(), expected, rtol=1e-5, atol=1e-5)


def test_fused_path_equals_cell_loop():
    layer = _built(return_sequences=True, return_state=True, go_backwards=True)
    x = torch.randn(3, 8, 3)
    fused = layer(x)
    layer._force_loop = True
    for a, b in zip(fused, layer(x), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)


def test_fused_only_when_configuration_allows():
    from strata.layers.recurrent.rnn import _fused_kind

    assert _fused_kind(layers.GRU(2).cell, training=True) == "gru"
    assert _fused_kind(layers.GRU(2, reset_after=False).cell, training=False) is None
    assert _fused_kind(layers.GRU(2, activation="relu").cell, training=False) is None
    assert _fused_kind(layers.GRU(2, recurrent_dropout=0.2).cell, training=True) is None
    assert _fused_kind(layers.GRU(2, recurrent_dropout=0.2).cell, training=False) == "gru"
    assert _fused_kind(layers.LSTM(2, recurrent_activation="hard_sigmoid").cell, False) is None
    assert _fused_kind(layers.SimpleRNN(2, activation="relu").cell, False) == "rnn_relu"


def test_gru_without_bias():
    layer = _built(use_bias=False)
    assert len(layer.get_weights()) == 2
    x = torch.randn(2, 4, 3)
    fused = layer(x)
    layer._force_loop = True
    torch.testing.assert_close(fused, layer(x), rtol=1e-5, atol=1e-5)
