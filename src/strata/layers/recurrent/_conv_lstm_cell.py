"""ConvLSTMCell: one timestep of a convolutional LSTM (not exported, as in Keras)."""

from __future__ import annotations

import torch

from strata import activations
from strata.layers.convolutional.base_conv import (
    CONV_FUNCTIONS,
    check_input_rank,
    check_strides_and_dilation,
    torch_to_keras_layout,
)
from strata.layers.recurrent._cell_base import DropoutRNNCell
from strata.layers.recurrent.lstm_cell import _ForgetBiasOne
from strata.ops import conv_utils


class ConvLSTMCell(DropoutRNNCell):
    """The LSTM step with convolutions in place of matrix products (Shi et al., 2015).

    Works on channels-first tensors inside (the layer converts at its boundary). Kernels are
    stored as torch's convolutions want them, `(4 * filters, in, *kernel_size)`; `get_weights()`
    shows Keras's `(*kernel_size, in, 4 * filters)`, gate order i, f, c, o (the same order
    along the output channels).

    The input convolution uses `strides`, `padding` and `dilation_rate`; the recurrent one is a
    stride-1 "same" convolution of the previous output, as in Keras.
    """

    gates = 4

    def __init__(
        self,
        rank,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias=True,
        **kwargs,
    ):
        if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(
                f"ConvLSTM{rank}D expected a positive integer `filters`; received {filters!r}."
            )
        super().__init__(
            filters,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            **kwargs,
        )
        self.rank = rank
        self.filters = filters
        self.kernel_size = conv_utils.normalize_tuple(kernel_size, rank, "kernel_size")
        self.strides = conv_utils.normalize_tuple(strides, rank, "strides")
        self.padding = conv_utils.normalize_padding(padding)
        self.data_format = conv_utils.normalize_data_format(data_format)
        self.dilation_rate = conv_utils.normalize_tuple(dilation_rate, rank, "dilation_rate")
        check_strides_and_dilation(f"ConvLSTM{rank}D", self.strides, self.dilation_rate)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self._conv = CONV_FUNCTIONS[rank]

    @property
    def state_size(self):
        return [self.filters, self.filters]

    def build(self, input_shape):
        """`input_shape`: one timestep, `(batch, *spatial, channels)` in `data_format`."""
        channels = check_input_rank(
            f"ConvLSTM{self.rank}D", self.rank, self.data_format, input_shape
        )
        self.spatial = tuple(conv_utils.spatial_shape(input_shape, self.data_format))
        layout = torch_to_keras_layout(self.rank)
        width = 4 * self.filters
        self.kernel = self.add_weight(
            name="kernel",
            shape=(*self.kernel_size, channels, width),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            keras_layout=layout,
        )
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel",
            shape=(*self.kernel_size, self.filters, width),
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
            keras_layout=layout,
        )
        if self.use_bias:
            init = _ForgetBiasOne(self.bias_initializer) if self.unit_forget_bias else None
            self._add_bias((width,), initializer=init)
        else:
            self.bias = None
        self.built = True

    def output_spatial(self):
        return tuple(
            conv_utils.conv_output_length(n, k, self.padding, s, d)
            for n, k, s, d in zip(self.spatial, self.kernel_size, self.strides, self.dilation_rate)
        )

    def get_initial_state(self, batch_size, like=None):
        shape = (batch_size, self.filters, *self.output_spatial())
        options = {} if like is None else {"dtype": like.dtype, "device": like.device}
        return [torch.zeros(shape, **options), torch.zeros(shape, **options)]

    def project_inputs(self, sequence, training=False):
        """The input convolution of every timestep of a channels-first `(B, T, C, *spatial)`
        sequence at once (the timesteps folded into the batch)."""
        mask = self.input_dropout_mask(sequence[:, 0], training)
        if mask is not None:
            sequence = sequence * mask.unsqueeze(1)
        batch, steps = sequence.shape[:2]
        x = sequence.reshape(batch * steps, *sequence.shape[2:])
        if self.padding == "same":
            x, padding = conv_utils.pad_same_for_conv(
                x, self.kernel_size, self.strides, self.dilation_rate
            )
        else:
            padding = 0
        y = self._conv(x, self.kernel, self.bias, self.strides, padding, self.dilation_rate)
        return y.reshape(batch, steps, *y.shape[1:])

    def step(self, projected, states, training=False):
        h, c = states
        mask = self.recurrent_dropout_mask(h, training)
        if mask is not None:
            h = h * mask
        ones = (1,) * self.rank
        padded, padding = conv_utils.pad_same_for_conv(h, self.kernel_size, ones, ones)
        gates = projected + self._conv(padded, self.recurrent_kernel, None, 1, padding)
        i, f, g, o = gates.chunk(4, dim=1)
        gate = self.recurrent_activation
        c = gate(f) * c + gate(i) * self.activation(g)
        h = gate(o) * self.activation(c)
        return h, [h, c]

    def get_config(self):
        config = super().get_config()
        del config["units"]
        return {
            **config,
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "unit_forget_bias": self.unit_forget_bias,
        }
