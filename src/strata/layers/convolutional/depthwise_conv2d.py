"""DepthwiseConv2D: depthwise 2D convolution."""

from strata.layers.convolutional.base_depthwise_conv import BaseDepthwiseConv


class DepthwiseConv2D(BaseDepthwiseConv):
    """Depthwise 2D convolution: each input channel convolved with its own filters.

    Every input channel gets `depth_multiplier` filters of its own; there is no mixing across
    channels. Output channel `c * depth_multiplier + m` is filter `m` applied to channel `c`.

    Args:
        kernel_size: an int or a tuple of 2 ints, the window's size.
        strides: an int or a tuple of 2 ints (must be 1 where `dilation_rate` > 1).
        padding: "valid" or "same" (TensorFlow's: extra padding at the end).
        depth_multiplier: outputs per input channel.
        data_format: "channels_last" or "channels_first"; None means
            `strata.backend.image_data_format()`.
        dilation_rate: an int or a tuple of 2 ints, the spacing between kernel taps.
        activation: activation name or function (None: linear).
        use_bias: whether to add a bias vector.
        depthwise_initializer, bias_initializer: initializers (glorot_uniform, zeros).
        depthwise_regularizer, bias_regularizer, activity_regularizer: penalties.
        depthwise_constraint, bias_constraint: projections applied after each update.

    Weights in Keras's layouts: `kernel` `(kh, kw, channels, depth_multiplier)` and `bias`
    `(channels * depth_multiplier,)`; stored as a torch grouped-convolution weight.

    Input shape:
        `(batch, height, width, channels)` (channels_last) or
        `(batch, channels, height, width)` (channels_first).

    Output shape:
        The same rank with `channels * depth_multiplier` channels; spatial sizes as for
        Conv2D.

    Example:
        >>> import strata
        >>> layer = strata.layers.DepthwiseConv2D(3, padding="same")
        >>> layer(strata.Input(shape=(28, 28, 16))).shape
        (None, 28, 28, 16)
        >>> layer.count_params()
        160
    """

    def __init__(
        self,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        depth_multiplier=1,
        data_format=None,
        dilation_rate=(1, 1),
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(
            rank=2,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            depth_multiplier=depth_multiplier,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )
