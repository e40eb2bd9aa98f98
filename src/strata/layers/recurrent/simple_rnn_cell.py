"""SimpleRNNCell: one timestep of a fully connected recurrent layer."""

import torch.nn.functional as F

from strata import activations
from strata.layers.recurrent._cell_base import DropoutRNNCell, check_step_input


class SimpleRNNCell(DropoutRNNCell):
    """`h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)`.

    Args:
        units: size of the output and of the state.
        activation: activation of the output (tanh).
        use_bias: whether to add a bias vector.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers
            (glorot_uniform, orthogonal, zeros).
        kernel_regularizer, recurrent_regularizer, bias_regularizer: penalties.
        kernel_constraint, recurrent_constraint, bias_constraint: projections.
        dropout: fraction of the inputs dropped in training (one mask per sequence).
        recurrent_dropout: fraction of the previous output dropped in training.
        seed: seed of the dropout masks.

    Input shape:
        `inputs (batch, features)` and `states`, a list with one `(batch, units)` tensor.

    Output shape:
        `(output, [new_state])`, both `(batch, units)`.

    Example:
        >>> import torch, strata
        >>> cell = strata.layers.SimpleRNNCell(4)
        >>> out, states = cell(torch.ones(2, 3), [torch.zeros(2, 4)])
        >>> tuple(out.shape), len(states)
        ((2, 4), 1)
    """

    gates = 1

    def build(self, input_shape):
        input_dim = check_step_input(self, input_shape)
        self._add_kernels(input_dim, (1, 0))
        if self.use_bias:
            self._add_bias((self.units,))
        else:
            self.bias = None
        self.built = True

    def step(self, projected, states, training=False):
        h = states[0]
        mask = self.recurrent_dropout_mask(h, training)
        if mask is not None:
            h = h * mask
        out = self.activation(projected + F.linear(h, self.recurrent_kernel))
        return out, [out]

    def fused_kind(self, training):
        if training and self.recurrent_dropout > 0.0:
            return None
        if self.activation is activations.tanh:
            return "rnn_tanh"
        if self.activation is activations.relu:
            return "rnn_relu"
        return None

    def fused_params(self):
        """The weights in the order torch's fused function takes them, and `has_biases`."""
        if self.bias is None:
            return [self.kernel, self.recurrent_kernel], False
        return [self.kernel, self.recurrent_kernel, self.bias, _zeros_like(self.bias)], True


def _zeros_like(bias):
    # torch's fused kernels add a second (recurrent) bias; Keras has one, so it is zero here.
    return bias.detach().new_zeros(bias.shape)
