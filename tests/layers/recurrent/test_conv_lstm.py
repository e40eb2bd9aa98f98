"""ConvLSTM1D/2D/3D: the step against a hand-written reference, states, masks, errors."""

import doctest

import pytest
import torch
import torch.nn.functional as F

from strata import layers
from strata.layers.recurrent import conv_lstm1d, conv_lstm2d, conv_lstm3d


@pytest.mark.parametrize("module", [conv_lstm1d, conv_lstm2d, conv_lstm3d])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def _reference(x, kernel, recurrent, bias, filters):
    """ConvLSTM2D, valid padding, channels_last, from Keras-layout weights."""
    k = torch.from_numpy(kernel).permute(3, 2, 0, 1)
    r = torch.from_numpy(recurrent).permute(3, 2, 0, 1)
    b = torch.from_numpy(bias)
    batch, steps, height, width, _ = x.shape
    out_h, out_w = height - kernel.shape[0] + 1, width - kernel.shape[1] + 1
    h = torch.zeros(batch, filters, out_h, out_w)
    c = torch.zeros_like(h)
    for t in range(steps):
        z = F.conv2d(x[:, t].permute(0, 3, 1, 2), k, b)
        z = z + F.conv2d(F.pad(h, (0, 1, 0, 1)), r)  # "same" for a 2x2 kernel
        i, f, g, o = z.chunk(4, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
    return h.permute(0, 2, 3, 1)


def test_matches_a_hand_written_convolutional_lstm():
    layer = layers.ConvLSTM2D(3, 2)
    x = torch.randn(2, 4, 5, 6, 2)
    got = layer(x)
    expected = _reference(x, *layer.get_weights(), filters=3)
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)


def test_initial_and_returned_states_use_the_data_format():
    layer = layers.ConvLSTM1D(2, 2, return_state=True)
    x = torch.randn(2, 3, 5, 1)
    output, h, c = layer(x)
    assert h.shape == c.shape == (2, 4, 2)
    torch.testing.assert_close(output, h)
    again, _, _ = layer(x, initial_state=[h, c])
    assert not torch.allclose(again, output)
    with pytest.raises(ValueError, match="2 initial state"):
        layer(x, initial_state=[h])


def test_masked_steps_keep_the_states():
    layer = layers.ConvLSTM1D(2, 2)
    x = torch.randn(2, 4, 5, 1)
    mask = torch.tensor([[True, True, False, False], [True] * 4])
    got = layer(x, mask=mask)
    torch.testing.assert_close(got[0], layer(x[:1, :2])[0])
    torch.testing.assert_close(got[1], layer(x[1:])[0])


def test_stateful_layer_continues_from_the_last_batch():
    layer = layers.ConvLSTM1D(2, 2, stateful=True)
    x = torch.randn(2, 6, 5, 1)
    whole = layers.ConvLSTM1D(2, 2)
    whole(x)
    layer(x[:, :3])
    whole.set_weights(layer.get_weights())
    torch.testing.assert_close(layer(x[:, 3:]), whole(x))
    layer.reset_states()
    torch.testing.assert_close(layer(x), whole(x))


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: layers.ConvLSTM2D(2, 3, strides=2, dilation_rate=2), "dilation"),
        (lambda: layers.ConvLSTM2D(2, 3, padding="full"), "padding"),
        (lambda: layers.ConvLSTM2D(0, 3), "filters"),
        (lambda: layers.ConvLSTM2D(2, 3)(torch.randn(2, 3, 4, 4)), "rank 5"),
    ],
)
def test_bad_arguments_raise_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()
