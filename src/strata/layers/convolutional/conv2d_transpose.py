"""Conv2DTranspose: transposed 2D convolution."""

from strata.layers.convolutional.base_conv_transpose import BaseConvTranspose


class Conv2DTranspose(BaseConvTranspose):
    """Transposed 2D convolution (sometimes called deconvolution).

    The gradient of a Conv2D with the same arguments, as a layer: it maps a Conv2D's output
    shape back to its input shape, typically to upsample (strides 2 doubles each size).

    Args:
        filters: number of output channels.
        kernel_size: an int or a tuple of 2 ints, the window's size.
        strides: an int or a tuple of 2 ints.
        padding: "valid" or "same".
        output_padding: None, or an int or a tuple of 2 ints (each smaller than
            its stride): extra positions at the end of each output dimension.
        data_format: "channels_last" or "channels_first"; None means
            `strata.backend.image_data_format()`.
        dilation_rate: an int or a tuple of 2 ints, the spacing between kernel taps.
        activation: activation name or function (None: linear).
        use_bias: whether to add a bias vector.
        kernel_initializer, bias_initializer: initializers (glorot_uniform, zeros).
        kernel_regularizer, bias_regularizer, activity_regularizer: penalties.
        kernel_constraint, bias_constraint: projections applied after each update.

    The kernel is stored as torch's `(channels, filters, kh, kw)`; `get_weights()` shows
    Keras's `(kh, kw, filters, channels)`.

    Input shape:
        `(batch, height, width, channels)` (channels_last) or
        `(batch, channels, height, width)` (channels_first).

    Output shape:
        The same rank with `filters` channels. With `output_padding=None` each spatial size
        is `size * stride` ("same") or `size * stride + max(kernel_extent - stride, 0)`
        ("valid"), where `kernel_extent = dilation * (kernel - 1) + 1`; otherwise
        `(size - 1) * stride + kernel_extent - 2 * pad + output_padding` with `pad =
        kernel_extent // 2` ("same") or 0 ("valid").

    Example:
        >>> import strata
        >>> layer = strata.layers.Conv2DTranspose(16, 3, strides=2)
        >>> layer(strata.Input(shape=(7, 7, 32))).shape
        (None, 15, 15, 16)
        >>> layer.count_params()
        4624
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        output_padding=None,
        data_format=None,
        dilation_rate=(1, 1),
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
            output_padding=output_padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
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
