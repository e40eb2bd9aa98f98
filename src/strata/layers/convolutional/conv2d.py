"""Conv2D: 2D convolution over images."""

from strata.layers.convolutional.base_conv import BaseConv


class Conv2D(BaseConv):
    """2D convolution: `activation(conv2d(inputs, kernel) + bias)` over images.

    Args:
        filters: number of output channels.
        kernel_size: an int or a tuple of 2 ints, the window's size.
        strides: an int or a tuple of 2 ints (must be 1 where `dilation_rate` > 1).
        padding: "valid" or "same" (TensorFlow's: with strides the extra padding goes
            to the bottom and right).
        data_format: "channels_last" (`(batch, height, width, channels)`) or
            "channels_first" (`(batch, channels, height, width)`); None means
            `strata.backend.image_data_format()`.
        dilation_rate: an int or a tuple of 2 ints, the spacing between kernel taps.
        groups: number of channel groups convolved separately (divides both the input
            channels and `filters`).
        activation: activation name or function (None: linear).
        use_bias: whether to add a bias vector.
        kernel_initializer, bias_initializer: initializers (glorot_uniform, zeros).
        kernel_regularizer, bias_regularizer, activity_regularizer: penalties.
        kernel_constraint, bias_constraint: projections applied after each update.

    The kernel is stored as torch's `(filters, channels // groups, kh, kw)` so the call is
    one `F.conv2d`; `get_weights()` shows Keras's `(kh, kw, channels // groups, filters)`.

    Input shape:
        `(batch, height, width, channels)` (channels_last) or
        `(batch, channels, height, width)` (channels_first).

    Output shape:
        `(batch, new_height, new_width, filters)` or
        `(batch, filters, new_height, new_width)`; each spatial size is
        `ceil(size / stride)` with "same" padding and
        `floor((size - dilation * (kernel - 1) - 1) / stride) + 1` with "valid".

    Example:
        >>> import strata
        >>> layer = strata.layers.Conv2D(32, 3, activation="relu")
        >>> layer(strata.Input(shape=(28, 28, 3))).shape
        (None, 26, 26, 32)
        >>> layer.count_params()
        896
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        data_format=None,
        dilation_rate=(1, 1),
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
            rank=2,
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
