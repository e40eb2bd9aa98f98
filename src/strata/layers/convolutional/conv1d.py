"""Conv1D: 1D convolution over sequences (temporal convolution)."""

from strata.layers.convolutional.base_conv import BaseConv


class Conv1D(BaseConv):
    """1D convolution: `activation(conv1d(inputs, kernel) + bias)` over steps.

    Args:
        filters: number of output channels.
        kernel_size: an int or a tuple of one int, the window's size.
        strides: an int or a tuple of one int (must be 1 where `dilation_rate` > 1).
        padding: "valid", "same" (TensorFlow's, extra padding at the end) or "causal"
            (left padding, so output step t only sees input steps <= t).
        data_format: "channels_last" (`(batch, steps, channels)`) or
            "channels_first" (`(batch, channels, steps)`); None means
            `strata.backend.image_data_format()`.
        dilation_rate: an int or a tuple of one int, the spacing between kernel taps.
        groups: number of channel groups convolved separately (divides both the input
            channels and `filters`).
        activation: activation name or function (None: linear).
        use_bias: whether to add a bias vector.
        kernel_initializer, bias_initializer: initializers (glorot_uniform, zeros).
        kernel_regularizer, bias_regularizer, activity_regularizer: penalties.
        kernel_constraint, bias_constraint: projections applied after each update.

    The kernel is stored as torch's `(filters, channels // groups, kernel)` so the call is
    one `F.conv1d`; `get_weights()` shows Keras's `(kernel, channels // groups, filters)`.

    Input shape:
        `(batch, steps, channels)` (channels_last) or
        `(batch, channels, steps)` (channels_first).

    Output shape:
        `(batch, new_steps, filters)` or
        `(batch, filters, new_steps)`; each spatial size is
        `ceil(size / stride)` with "same" padding and
        `floor((size - dilation * (kernel - 1) - 1) / stride) + 1` with "valid";
        causal padding keeps the size (at stride 1).

    Example:
        >>> import strata
        >>> layer = strata.layers.Conv1D(32, 3, activation="relu")
        >>> layer(strata.Input(shape=(100, 8))).shape
        (None, 98, 32)
        >>> layer.count_params()
        800
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        groups=1,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(
            rank=1,
            filters=filters,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            groups=groups,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )
