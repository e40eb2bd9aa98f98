"""Masked timesteps keep the states and repeat the previous output (Keras's semantics)."""

import numpy as np
import pytest
import torch
from rnn_references import gru_step, lstm_step, run_masked

import strata
from strata import layers
from strata.layers.recurrent import _fused


def _built(cls, seed=0, **kwargs):
    layer = cls(4, return_sequences=True, return_state=True, **kwargs)
    layer(np.zeros((1, 2, 3), "float32"))
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in layer.get_weights()])
    return layer


def _reference(layer, x, mask):
    weights = layer.get_weights()
    zeros = np.zeros((x.shape[0], 4), "float32")
    if isinstance(layer, layers.LSTM):
        return run_masked(lambda xt, h, c: lstm_step(xt, h, c, *weights), x, [zeros, zeros], mask)
    return run_masked(lambda xt, h: gru_step(xt, h, *weights), x, [zeros], mask)


MASKS = {
    "right-padded": [[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1], [1, 0, 0, 0, 0, 0]],
    "left-padded": [[0, 0, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 1]],
    "holes": [[1, 0, 1, 1, 0, 1], [0, 1, 1, 0, 1, 1], [1, 1, 0, 0, 0, 0]],
    "empty-row": [[1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1]],
}


@pytest.mark.parametrize("kind", sorted(MASKS))
@pytest.mark.parametrize("cls", [layers.LSTM, layers.GRU])
def test_masked_outputs_and_states_match_hand_loop(cls, kind):
    layer = _built(cls)
    mask = np.array(MASKS[kind], bool)
    x = np.random.default_rng(1).normal(size=(3, 6, 3)).astype("float32")
    expected_sequence, expected_states = _reference(layer, x, mask)
    output, *states = layer(torch.from_numpy(x), mask=torch.from_numpy(mask))
    np.testing.assert_allclose(output.detach().numpy(), expected_sequence, rtol=1e-5, atol=1e-5)
    for got, want in zip(states, expected_states, strict=True):
        np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-5, atol=1e-5)
    # A masked step repeats the previous output (zeros before the first valid step).
    if kind == "right-padded":
        np.testing.assert_array_equal(output[0, 4].detach(), output[0, 3].detach())
    if kind == "left-padded":
        assert not output[0, :2].detach().any()


@pytest.mark.parametrize("kind", sorted(MASKS))
def test_fused_packed_path_equals_loop(kind):
    layer = _built(layers.LSTM)
    mask = torch.tensor(MASKS[kind], dtype=torch.bool)
    x = torch.randn(3, 6, 3)
    fused = layer(x, mask=mask)
    layer._force_loop = True
    for a, b in zip(fused, layer(x, mask=mask), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)


def test_contiguous_span_detection():
    right = torch.tensor(MASKS["right-padded"], dtype=torch.bool)
    start, lengths = _fused.contiguous_span(right)
    assert start.tolist() == [0, 0, 0] and lengths.tolist() == [4, 6, 1]
    start, lengths = _fused.contiguous_span(torch.tensor(MASKS["left-padded"], dtype=torch.bool))
    assert start.tolist() == [2, 0, 5] and lengths.tolist() == [4, 6, 1]
    assert _fused.contiguous_span(torch.tensor(MASKS["holes"], dtype=torch.bool)) is None
    assert _fused.contiguous_span(torch.tensor(MASKS["empty-row"], dtype=torch.bool)) is None
    assert _fused.contiguous_span(torch.ones(2, 3, dtype=torch.bool)) == "all"


def test_last_output_is_last_valid_step():
    layer = layers.GRU(4)
    x = torch.randn(2, 6, 3)
    mask = torch.tensor([[1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1]], dtype=torch.bool)
    masked = layer(x, mask=mask)
    torch.testing.assert_close(masked[0], layer(x[:1, :3])[0])
    torch.testing.assert_close(masked[1], layer(x[1:])[0])


def test_zero_output_for_mask():
    layer = layers.RNN(layers.LSTMCell(4), return_sequences=True, zero_output_for_mask=True)
    x = torch.randn(2, 5, 3)
    mask = torch.tensor([[1, 1, 0, 0, 0], [0, 1, 1, 0, 1]], dtype=torch.bool)
    output = layer(x, mask=mask)
    assert not output[~mask].any()
    assert output[mask].abs().min() > 0


class ZeroMask(layers.Layer):
    """Marks timesteps whose features are all zero as masked (like Masking(0.0))."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_mask(self, inputs, mask=None):
        return inputs.abs().sum(dim=-1) != 0


def test_mask_flows_through_a_functional_model():
    inputs = strata.Input(shape=(None, 3))
    masked = ZeroMask()(inputs)
    sequence_layer = layers.LSTM(4, return_sequences=True)
    sequences = sequence_layer(masked)
    assert sequences.has_mask
    last_layer = layers.GRU(2)
    last = last_layer(sequences)
    assert not last.has_mask
    model = strata.Model(inputs, last)
    x = np.random.default_rng(0).normal(size=(2, 6, 3)).astype("float32")
    x[0, 4:] = 0.0
    out = model(x)
    torch.testing.assert_close(out[:1], model(x[:1, :4]))
    # The same layers without the mask see the zero steps and give another result.
    unmasked = last_layer(sequence_layer(torch.from_numpy(x[:1])))
    assert not torch.allclose(out[:1], unmasked)
