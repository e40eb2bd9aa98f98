"""Bidirectional against a forward layer and a backward layer run separately."""

import numpy as np
import pytest
import torch

import strata
from strata import layers


def _pair(layer, x):
    """A Bidirectional and two separate layers holding its forward and backward weights."""
    wrapper = layers.Bidirectional(layer, merge_mode=None)
    wrapper(x)
    forward = layers.deserialize(layers.serialize(wrapper.forward_layer))
    backward = layers.deserialize(layers.serialize(wrapper.backward_layer))
    forward(x)
    backward(x)
    weights = wrapper.get_weights()
    half = len(weights) // 2
    forward.set_weights(weights[:half])
    backward.set_weights(weights[half:])
    return wrapper, forward, backward


@pytest.mark.parametrize("mode", ["concat", "sum", "mul", "ave", None])
def test_merge_modes_equal_two_separate_layers(mode):
    x = torch.randn(2, 5, 3)
    wrapper, forward, backward = _pair(layers.LSTM(4, return_sequences=True), x)
    wrapper.merge_mode = mode
    y, y_rev = forward(x), backward(x).flip(1)
    expected = {
        "concat": torch.cat([y, y_rev], dim=-1),
        "sum": y + y_rev,
        "mul": y * y_rev,
        "ave": (y + y_rev) / 2,
    }
    output = wrapper(x)
    if mode is None:
        torch.testing.assert_close(output[0], y)
        torch.testing.assert_close(output[1], y_rev)
    else:
        torch.testing.assert_close(output, expected[mode])


def test_weights_are_forward_then_backward():
    wrapper = layers.Bidirectional(layers.GRU(4))
    wrapper(strata.Input(shape=(None, 3)))
    assert wrapper.count_params() == 2 * 3 * (3 * 4 + 4 * 4 + 2 * 4)
    assert wrapper.forward_layer.name.startswith("forward_")
    assert wrapper.backward_layer.name.startswith("backward_")
    assert wrapper.backward_layer.go_backwards and not wrapper.forward_layer.go_backwards
    own = wrapper.forward_layer.weights + wrapper.backward_layer.weights
    assert all(a is b for a, b in zip(wrapper.weights, own, strict=True))


def test_return_state_returns_both_directions_states():
    x = torch.randn(2, 5, 3)
    wrapper, forward, backward = _pair(layers.LSTM(4, return_state=True), x)
    wrapper.merge_mode = "concat"
    output, h_f, c_f, h_b, c_b = wrapper(x)
    out_f, h_f_ref, c_f_ref = forward(x)
    out_b, h_b_ref, c_b_ref = backward(x)
    torch.testing.assert_close(output, torch.cat([out_f, out_b], dim=-1))
    for got, want in zip((h_f, c_f, h_b, c_b), (h_f_ref, c_f_ref, h_b_ref, c_b_ref), strict=True):
        torch.testing.assert_close(got, want)
    symbolic = layers.Bidirectional(layers.LSTM(4, return_state=True))(strata.Input(shape=(5, 3)))
    assert [t.shape for t in symbolic] == [(None, 8)] + [(None, 4)] * 4


def test_masked_sequences_line_up_in_time():
    x = torch.randn(2, 6, 3)
    mask = torch.tensor([[1, 1, 1, 1, 0, 0], [1] * 6], dtype=torch.bool)
    wrapper = layers.Bidirectional(layers.GRU(4, return_sequences=True))
    output = wrapper(x, mask=mask)
    trimmed = wrapper(x[:1, :4])
    torch.testing.assert_close(output[:1, :4], trimmed, rtol=1e-5, atol=1e-5)
    assert not output[0, 4:].any()


def test_custom_backward_layer_and_config_round_trip():
    wrapper = layers.Bidirectional(
        layers.SimpleRNN(3), backward_layer=layers.SimpleRNN(2, go_backwards=True), merge_mode="sum"
    )
    config = wrapper.get_config()
    clone = layers.Bidirectional.from_config(config)
    assert clone.get_config() == config
    with pytest.raises(ValueError, match="go_backwards"):
        layers.Bidirectional(layers.SimpleRNN(3), backward_layer=layers.SimpleRNN(3))
    with pytest.raises(ValueError, match="merge_mode"):
        layers.Bidirectional(layers.SimpleRNN(3), merge_mode="max")


def test_initial_weights_argument():
    first = layers.Bidirectional(layers.SimpleRNN(2))
    first(np.zeros((1, 3, 4), "float32"))
    weights = [w + 1 for w in first.get_weights()]
    second = layers.Bidirectional(layers.SimpleRNN(2), weights=weights)
    second(np.zeros((1, 3, 4), "float32"))
    for a, b in zip(weights, second.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
