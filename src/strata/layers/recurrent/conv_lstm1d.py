"""ConvLSTM1D: a convolutional LSTM over sequences of 1-D inputs."""

from strata.layers.recurrent._conv_lstm import ConvLSTM


class ConvLSTM1D(ConvLSTM):
    """An LSTM whose input and recurrent transformations are 1-D convolutions (Shi et al.,
    2015), as Keras's `ConvLSTM1D`.

    Weights, as Keras shows them: `kernel (*kernel_size, channels, 4 * filters)`,
    `recurrent_kernel (*kernel_size, filters, 4 * filters)`, `bias (4 * filters,)`, gate order
    i, f, c, o. The input convolutions of all timesteps run as one batched convolution.

    Args:
        filters: number of output channels (and of each state).
        kernel_size: int or tuple of 1 ints; also the recurrent convolution's size.
        strides, dilation_rate: of the input convolution (not both above 1).
        padding: `"valid"` or `"same"` for the input convolution (the recurrent one is "same").
        data_format: `"channels_last"` (default: `strata.backend.image_data_format()`) or
            `"channels_first"`.
        activation, recurrent_activation: tanh and sigmoid by default.
        use_bias: whether there is a bias.
        kernel_initializer, recurrent_initializer, bias_initializer: glorot_uniform,
            orthogonal, zeros.
        unit_forget_bias: start the forget gate's bias at one.
        kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer:
            penalties.
        kernel_constraint, recurrent_constraint, bias_constraint: projections.
        dropout, recurrent_dropout: dropout rates of the inputs and of the previous output
            (one mask per sequence).
        seed: seed of the dropout masks.
        return_sequences, return_state, go_backwards, stateful: see `RNN`.

    Input shape:
        `(batch, time, steps, channels)` (channels_last) or
        `(batch, time, channels, steps)` (channels_first).

    Output shape:
        One step's output `(batch, steps, filters)` (channels_last; spatial sizes after
        the input convolution); with `return_sequences` one per timestep; with
        `return_state`, `[output, h, c]`.

    Example:
        >>> import torch, strata
        >>> layer = strata.layers.ConvLSTM1D(filters=4, kernel_size=3)
        >>> tuple(layer(torch.randn(2, 5, 8, 3)).shape)
        (2, 6, 4)
    """

    rank = 1

    def __init__(
        self,
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
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        **kwargs,
    ):
        self._init_conv_lstm(locals(), kwargs)
