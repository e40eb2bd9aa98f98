"""LSTMCell: one timestep of a long short-term memory layer."""

import torch
import torch.nn.functional as F

from strata import activations, initializers
from strata.layers.recurrent._cell_base import DropoutRNNCell, check_step_input
from strata.layers.recurrent.simple_rnn_cell import _zeros_like


class LSTMCell(DropoutRNNCell):
    """The LSTM step (Hochreiter 1997) with Keras's gate order i, f, c, o (torch's i, f, g, o).

    The kernel holds the four gates side by side, `(features, 4 * units)` as Keras shows it; one
    bias of `4 * units`.

    Args:
        units: size of the output and of each state.
        activation: activation of the candidate and of the cell state output (tanh).
        recurrent_activation: activation of the gates (sigmoid).
        use_bias: whether to add a bias vector.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers
            (glorot_uniform, orthogonal, zeros).
        unit_forget_bias: start the forget gate's bias at one (then `bias_initializer` fills
            the other gates).
        kernel_regularizer, recurrent_regularizer, bias_regularizer: penalties.
        kernel_constraint, recurrent_constraint, bias_constraint: projections.
        dropout: fraction of the inputs dropped in training (one mask per sequence).
        recurrent_dropout: fraction of the previous output dropped in training.
        seed: seed of the dropout masks.

    Input shape:
        `inputs (batch, features)` and `states = [h, c]`, each `(batch, units)`.

    Output shape:
        `(h_new, [h_new, c_new])`.

    Example:
        >>> import strata
        >>> layer = strata.layers.RNN(strata.layers.LSTMCell(32))
        >>> layer(strata.Input(shape=(None, 64))).shape
        (None, 32)
        >>> layer.count_params()
        12416
    """

    gates = 4

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias=True,
        **kwargs,
    ):
        super().__init__(
            units,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            **kwargs,
        )
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)

    @property
    def state_size(self):
        return [self.units, self.units]

    def build(self, input_shape):
        input_dim = check_step_input(self, input_shape)
        self._add_kernels(input_dim, (1, 0))
        if self.use_bias:
            init = _ForgetBiasOne(self.bias_initializer) if self.unit_forget_bias else None
            self._add_bias((4 * self.units,), initializer=init)
        else:
            self.bias = None
        self.built = True

    def step(self, projected, states, training=False):
        h, c = states
        mask = self.recurrent_dropout_mask(h, training)
        if mask is not None:
            h = h * mask
        gates = projected + F.linear(h, self.recurrent_kernel)
        i, f, g, o = gates.chunk(4, dim=-1)
        gate = self.recurrent_activation
        c = gate(f) * c + gate(i) * self.activation(g)
        h = gate(o) * self.activation(c)
        return h, [h, c]

    def fused_kind(self, training):
        if training and self.recurrent_dropout > 0.0:
            return None
        if self.activation is activations.tanh and self.recurrent_activation is activations.sigmoid:
            return "lstm"
        return None

    def fused_params(self):
        """The weights in the order `torch.lstm` takes them, and `has_biases`."""
        if self.bias is None:
            return [self.kernel, self.recurrent_kernel], False
        return [self.kernel, self.recurrent_kernel, self.bias, _zeros_like(self.bias)], True

    def get_config(self):
        return {
            **super().get_config(),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "unit_forget_bias": self.unit_forget_bias,
        }


class _ForgetBiasOne:
    """Bias initializer: `base` for the i, c, o gates and ones for the forget gate."""

    def __init__(self, base):
        self.base = initializers.get(base)

    def __call__(self, shape, dtype=None):
        units = shape[0] // 4
        return torch.cat(
            [
                self.base((units,), dtype=dtype),
                initializers.get("ones")((units,), dtype=dtype),
                self.base((2 * units,), dtype=dtype),
            ]
        )
