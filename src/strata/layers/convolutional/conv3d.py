"""Conv3D: 3D convolution over volumes."""

from strata.layers.convolutional.base_conv import BaseConv


class Conv3D(BaseConv):
    """3D convolution: `activation(conv3d(inputs, kernel) + bias)` over volumes.

    Args:
        filters: number of output channels.
        kernel_size: an int or a tuple of 3 ints, the window's size.
        strides: an int or a tuple of 3 ints (must be 1 where `dilation_rate` > 1).
        padding: "valid" or "same" (TensorFlow's: the extra padding goes at the end).
        data_format: "channels_last" (`(batch, depth, height, width, channels)`) or
            "channels_first" (`(batch, channels, depth, height, width)`); None means
            `strata.backend.image_data_format()`.
        dilation_rate: an int or a tuple of 3 ints, the spacing between kernel taps.
        groups: number of channel groups convolved separately (divides both the input
            channels and `filters`).
        activation: activation name or function (None: linear).
        use_bias: whether to add a bias vector.
        kernel_initializer, bias_initializer: initializers (glorot_uniform, zeros).
        kernel_regularizer, bias_regularizer, activity_regularizer: penalties.
        kernel_constraint, bias_constraint: projections applied after each update.

    The kernel is stored as torch's `(filters, channels // groups, kd, kh, kw)` so the call is
    one `F.conv3d`; `get_weights()` shows Keras's `(kd, kh, kw, channels // groups, filters)`.

    Input shape:
        `(batch, depth, height, width, channels)` (channels_last) or
        `(batch, channels, depth, height, width)` (channels_first).

    Output shape:
        `(batch, new_depth, new_height, new_width, filters)` or
        `(batch, filters, new_depth, new_height, new_width)`; each spatial size is
        `ceil(size / stride)` with "same" padding and
        `floor((size - dilation * (kernel - 1) - 1) / stride) + 1` with "valid".

    Example:
        >>> import strata
        >>> layer = strata.layers.Conv3D(8, 3, padding="same", strides=2)
        >>> layer(strata.Input(shape=(9, 16, 16, 2))).shape
        (None, 5, 8, 8, 8)
        >>> layer.count_params()
        440
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1, 1),
        padding="valid",
        data_format=None,
        dilation_rate=(1, 1, 1),
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
            rank=3,
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
