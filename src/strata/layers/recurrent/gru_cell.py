"""GRUCell: one timestep of a gated recurrent unit layer."""

import torch.nn.functional as F

from strata import activations
from strata.layers.recurrent._cell_base import DropoutRNNCell, GateLayout, check_step_input

# Keras orders the gates z (update), r (reset), h (candidate); torch orders them r, z, n. The
# weights are stored in torch's order so the fused `torch.gru` takes them without a copy, and
# shown in Keras's order: Keras block k is stored block _KERAS_FROM_TORCH[k].
_KERAS_FROM_TORCH = (1, 0, 2)


class GRUCell(DropoutRNNCell):
    """The GRU step (Cho et al. 2014), by default with the reset gate after the matrix product.

    With `reset_after=True` (Keras's default, and what cuDNN and torch compute) the bias has
    shape `(2, 3 * units)`: an input bias and a recurrent bias.

    Args:
        units: size of the output and of the state.
        activation: activation of the candidate (tanh).
        recurrent_activation: activation of the update and reset gates (sigmoid).
        use_bias: whether to add bias vectors.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers
            (glorot_uniform, orthogonal, zeros).
        kernel_regularizer, recurrent_regularizer, bias_regularizer: penalties.
        kernel_constraint, recurrent_constraint, bias_constraint: projections.
        dropout: fraction of the inputs dropped in training (one mask per sequence).
        recurrent_dropout: fraction of the previous output dropped in training.
        reset_after: apply the reset gate after (True) or before the recurrent product.
        seed: seed of the dropout masks.

    Input shape:
        `inputs (batch, features)` and `states = [h]`, `(batch, units)`.

    Output shape:
        `(h_new, [h_new])`.

    Example:
        >>> import strata
        >>> layer = strata.layers.RNN(strata.layers.GRUCell(32))
        >>> layer(strata.Input(shape=(None, 64))).shape
        (None, 32)
        >>> layer.count_params()
        9408
    """

    gates = 3

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        reset_after=True,
        seed=None,
        **kwargs,
    ):
        super().__init__(
            units,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            **kwargs,
        )
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = bool(reset_after)

    def build(self, input_shape):
        input_dim = check_step_input(self, input_shape)
        self._add_kernels(input_dim, GateLayout(_KERAS_FROM_TORCH, transpose=True))
        if self.use_bias:
            shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
            self._add_bias(shape, layout=GateLayout(_KERAS_FROM_TORCH, transpose=False))
        else:
            self.bias = None
        self.built = True

    def _input_bias(self):
        if self.bias is None or not self.reset_after:
            return self.bias
        return self.bias[0]

    def step(self, projected, states, training=False):
        h_prev = states[0]
        h = h_prev
        mask = self.recurrent_dropout_mask(h, training)
        if mask is not None:
            h = h * mask
        x_r, x_z, x_n = projected.chunk(3, dim=-1)
        gate = self.recurrent_activation
        if self.reset_after:
            recurrent_bias = None if self.bias is None else self.bias[1]
            h_r, h_z, h_n = F.linear(h, self.recurrent_kernel, recurrent_bias).chunk(3, dim=-1)
            r = gate(x_r + h_r)
            z = gate(x_z + h_z)
            candidate = self.activation(x_n + r * h_n)
        else:
            units = self.units
            h_r, h_z = F.linear(h, self.recurrent_kernel[: 2 * units]).chunk(2, dim=-1)
            r = gate(x_r + h_r)
            z = gate(x_z + h_z)
            candidate = self.activation(x_n + F.linear(r * h, self.recurrent_kernel[2 * units :]))
        out = z * h_prev + (1.0 - z) * candidate
        return out, [out]

    def fused_kind(self, training):
        if training and self.recurrent_dropout > 0.0:
            return None
        if not self.reset_after:
            return None
        if self.activation is activations.tanh and self.recurrent_activation is activations.sigmoid:
            return "gru"
        return None

    def fused_params(self):
        """The weights in the order `torch.gru` takes them, and `has_biases`."""
        if self.bias is None:
            return [self.kernel, self.recurrent_kernel], False
        return [self.kernel, self.recurrent_kernel, self.bias[0], self.bias[1]], True

    def get_config(self):
        return {
            **super().get_config(),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "reset_after": self.reset_after,
        }
